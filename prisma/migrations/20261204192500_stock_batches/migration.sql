-- AlterTable
ALTER TABLE "sku" ADD COLUMN     "shelf_life_days" INTEGER;

-- CreateTable
CREATE TABLE "stock_batch" (
    "id" BIGSERIAL NOT NULL,
    "store_code" TEXT NOT NULL,
    "sku_code" TEXT NOT NULL,
    "move_id" BIGINT,
    "expires_on" DATE,
    "quantity" DECIMAL(14,3) NOT NULL,
    "remaining" DECIMAL(14,3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "stock_batch_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stock_batch_take" (
    "move_id" BIGINT NOT NULL,
    "batch_id" BIGINT NOT NULL,
    "quantity" DECIMAL(14,3) NOT NULL,

    CONSTRAINT "stock_batch_take_pkey" PRIMARY KEY ("move_id","batch_id")
);

-- CreateTable
CREATE TABLE "stock_batch_alert" (
    "batch_id" BIGINT NOT NULL,
    "stage" TEXT NOT NULL,
    "alerted_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "stock_batch_alert_pkey" PRIMARY KEY ("batch_id","stage")
);

-- CreateIndex
CREATE UNIQUE INDEX "stock_batch_move_id_key" ON "stock_batch"("move_id");

-- CreateIndex
CREATE INDEX "stock_batch_store_code_sku_code_expires_on_id_idx" ON "stock_batch"("store_code", "sku_code", "expires_on", "id");

-- CreateIndex
CREATE INDEX "stock_batch_store_code_expires_on_idx" ON "stock_batch"("store_code", "expires_on");

-- CreateIndex
CREATE INDEX "stock_batch_take_batch_id_idx" ON "stock_batch_take"("batch_id");

-- Stock already on hand has no known expiry: one batch without one per store and SKU, so the
-- batches add up to the book from the start.
INSERT INTO "stock_batch" ("store_code", "sku_code", "move_id", "expires_on", "quantity", "remaining", "received_at")
SELECT "store_code", "sku_code", NULL, NULL, "on_hand", "on_hand", now() FROM "stock_balance" WHERE "on_hand" > 0 ORDER BY "store_code", "sku_code";
