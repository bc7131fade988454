-- CreateTable
CREATE TABLE "stock_move" (
    "id" BIGSERIAL NOT NULL,
    "store_code" TEXT NOT NULL,
    "sku_code" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "quantity" DECIMAL(14,3) NOT NULL,
    "reason" TEXT,
    "staff_userid" TEXT,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL,
    "source" TEXT NOT NULL,
    "external_id" TEXT,
    "reverses_id" BIGINT,

    CONSTRAINT "stock_move_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stock_balance" (
    "store_code" TEXT NOT NULL,
    "sku_code" TEXT NOT NULL,
    "on_hand" DECIMAL(14,3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "stock_balance_pkey" PRIMARY KEY ("store_code","sku_code")
);

-- CreateIndex
CREATE UNIQUE INDEX "stock_move_external_id_key" ON "stock_move"("external_id");

-- CreateIndex
CREATE UNIQUE INDEX "stock_move_reverses_id_key" ON "stock_move"("reverses_id");

-- CreateIndex
CREATE INDEX "stock_move_store_code_sku_code_occurred_at_idx" ON "stock_move"("store_code", "sku_code", "occurred_at");

-- CreateIndex
CREATE INDEX "stock_move_staff_userid_id_idx" ON "stock_move"("staff_userid", "id");

-- AddForeignKey
ALTER TABLE "stock_move" ADD CONSTRAINT "stock_move_reverses_id_fkey" FOREIGN KEY ("reverses_id") REFERENCES "stock_move"("id") ON DELETE SET NULL ON UPDATE CASCADE;
