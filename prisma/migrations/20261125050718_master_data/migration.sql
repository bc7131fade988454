-- CreateTable
CREATE TABLE "store" (
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "area" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "store_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "staff" (
    "userid" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "store_code" TEXT,
    "role" TEXT NOT NULL,
    "area" TEXT,
    "hire_date" DATE,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "staff_pkey" PRIMARY KEY ("userid")
);

-- CreateTable
CREATE TABLE "sku" (
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "aliases" TEXT[],
    "category" TEXT NOT NULL,
    "base_unit" TEXT NOT NULL,
    "pack_units" JSONB NOT NULL,
    "cost_price" DECIMAL(12,4) NOT NULL,
    "allow_negative" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sku_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "sku_barcode" (
    "barcode" TEXT NOT NULL,
    "sku_code" TEXT NOT NULL,
    "unit" TEXT,

    CONSTRAINT "sku_barcode_pkey" PRIMARY KEY ("barcode")
);

-- CreateTable
CREATE TABLE "sku_store_setting" (
    "store_code" TEXT NOT NULL,
    "sku_code" TEXT NOT NULL,
    "safety_stock" DECIMAL(14,3) NOT NULL,
    "max_daily_loss" DECIMAL(14,3) NOT NULL,

    CONSTRAINT "sku_store_setting_pkey" PRIMARY KEY ("store_code","sku_code")
);

-- CreateIndex
CREATE INDEX "staff_store_code_idx" ON "staff"("store_code");

-- CreateIndex
CREATE INDEX "sku_barcode_sku_code_idx" ON "sku_barcode"("sku_code");

-- AddForeignKey
ALTER TABLE "staff" ADD CONSTRAINT "staff_store_code_fkey" FOREIGN KEY ("store_code") REFERENCES "store"("code") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sku_barcode" ADD CONSTRAINT "sku_barcode_sku_code_fkey" FOREIGN KEY ("sku_code") REFERENCES "sku"("code") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sku_store_setting" ADD CONSTRAINT "sku_store_setting_store_code_fkey" FOREIGN KEY ("store_code") REFERENCES "store"("code") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sku_store_setting" ADD CONSTRAINT "sku_store_setting_sku_code_fkey" FOREIGN KEY ("sku_code") REFERENCES "sku"("code") ON DELETE CASCADE ON UPDATE CASCADE;
