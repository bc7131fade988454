-- AlterTable
ALTER TABLE "sku" ADD COLUMN     "lead_time_days" INTEGER,
ADD COLUMN     "supplier" TEXT;

-- AlterTable
ALTER TABLE "sku_store_setting" ADD COLUMN     "par_level" DECIMAL(14,3);

-- CreateTable
CREATE TABLE "stock_order" (
    "id" BIGSERIAL NOT NULL,
    "store_code" TEXT NOT NULL,
    "supplier" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "lines" JSONB NOT NULL,
    "suggested_by" TEXT NOT NULL,
    "suggested_at" TIMESTAMPTZ(3) NOT NULL,
    "confirmed_by" TEXT,
    "confirmed_at" TIMESTAMPTZ(3),
    "external_id" TEXT NOT NULL,

    CONSTRAINT "stock_order_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "stock_order_external_id_key" ON "stock_order"("external_id");

-- CreateIndex
CREATE INDEX "stock_order_store_code_supplier_status_idx" ON "stock_order"("store_code", "supplier", "status");
