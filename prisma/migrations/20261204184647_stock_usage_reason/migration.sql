-- CreateTable
CREATE TABLE "stock_usage_reason" (
    "id" BIGSERIAL NOT NULL,
    "count_id" BIGINT NOT NULL,
    "sku_code" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "assigned_by" TEXT NOT NULL,
    "assigned_at" TIMESTAMPTZ(3) NOT NULL,
    "source" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,

    CONSTRAINT "stock_usage_reason_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "stock_usage_reason_external_id_key" ON "stock_usage_reason"("external_id");

-- CreateIndex
CREATE INDEX "stock_usage_reason_count_id_sku_code_id_idx" ON "stock_usage_reason"("count_id", "sku_code", "id");

-- AddForeignKey
ALTER TABLE "stock_usage_reason" ADD CONSTRAINT "stock_usage_reason_count_id_fkey" FOREIGN KEY ("count_id") REFERENCES "stock_count"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
