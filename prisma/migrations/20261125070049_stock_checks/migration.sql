-- CreateTable
CREATE TABLE "stock_loss_hold" (
    "id" BIGSERIAL NOT NULL,
    "source_key" TEXT NOT NULL,
    "store_code" TEXT NOT NULL,
    "sku_code" TEXT NOT NULL,
    "quantity" DECIMAL(14,3) NOT NULL,
    "reason" TEXT,
    "staff_userid" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "day_total" DECIMAL(14,3) NOT NULL,
    "day_limit" DECIMAL(14,3) NOT NULL,
    "needs_manager" BOOLEAN NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "staff_confirmed_at" TIMESTAMPTZ(3),
    "manager_userid" TEXT,
    "manager_approved_at" TIMESTAMPTZ(3),
    "closed_by" TEXT,
    "closed_at" TIMESTAMPTZ(3),
    "move_id" BIGINT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "stock_loss_hold_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stock_delivery" (
    "id" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "store_code" TEXT NOT NULL,
    "expected_at" TIMESTAMPTZ(3) NOT NULL,
    "booked_at" TIMESTAMPTZ(3),
    "late_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "stock_delivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stock_delivery_line" (
    "id" BIGSERIAL NOT NULL,
    "delivery_id" TEXT NOT NULL,
    "line_no" INTEGER NOT NULL,
    "sku_code" TEXT NOT NULL,
    "quantity" DECIMAL(14,3) NOT NULL,
    "booked_quantity" DECIMAL(14,3) NOT NULL DEFAULT 0,
    "unit_quantity" DECIMAL(14,3) NOT NULL,
    "unit" TEXT NOT NULL,

    CONSTRAINT "stock_delivery_line_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stock_delivery_match" (
    "move_id" BIGINT NOT NULL,
    "line_id" BIGINT NOT NULL,
    "quantity" DECIMAL(14,3) NOT NULL,

    CONSTRAINT "stock_delivery_match_pkey" PRIMARY KEY ("move_id","line_id")
);

-- CreateTable
CREATE TABLE "store_points_entry" (
    "id" BIGSERIAL NOT NULL,
    "store_code" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "cause_key" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "store_points_entry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stock_late_move" (
    "move_id" BIGINT NOT NULL,
    "store_code" TEXT NOT NULL,
    "minutes_late" INTEGER NOT NULL,
    "flagged_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "stock_late_move_pkey" PRIMARY KEY ("move_id")
);

-- CreateTable
CREATE TABLE "stock_low_alert" (
    "store_code" TEXT NOT NULL,
    "sku_code" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "on_hand" DECIMAL(14,3) NOT NULL,
    "reorder_quantity" DECIMAL(14,3) NOT NULL,
    "alerted_at" TIMESTAMPTZ(3),
    "recovered_at" TIMESTAMPTZ(3),

    CONSTRAINT "stock_low_alert_pkey" PRIMARY KEY ("store_code","sku_code")
);

-- CreateTable
CREATE TABLE "stock_model_reading" (
    "inbound_id" BIGINT NOT NULL,
    "staff_userid" TEXT NOT NULL,
    "store_code" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "sku_code" TEXT NOT NULL,
    "amount" DECIMAL(14,3) NOT NULL,
    "unit" TEXT NOT NULL,
    "note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "stock_model_reading_pkey" PRIMARY KEY ("inbound_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "stock_loss_hold_source_key_key" ON "stock_loss_hold"("source_key");

-- CreateIndex
CREATE UNIQUE INDEX "stock_loss_hold_move_id_key" ON "stock_loss_hold"("move_id");

-- CreateIndex
CREATE INDEX "stock_loss_hold_store_code_sku_code_status_idx" ON "stock_loss_hold"("store_code", "sku_code", "status");

-- CreateIndex
CREATE INDEX "stock_delivery_store_code_booked_at_expected_at_idx" ON "stock_delivery"("store_code", "booked_at", "expected_at");

-- CreateIndex
CREATE INDEX "stock_delivery_line_sku_code_idx" ON "stock_delivery_line"("sku_code");

-- CreateIndex
CREATE UNIQUE INDEX "stock_delivery_line_delivery_id_line_no_key" ON "stock_delivery_line"("delivery_id", "line_no");

-- CreateIndex
CREATE INDEX "stock_delivery_match_line_id_idx" ON "stock_delivery_match"("line_id");

-- CreateIndex
CREATE UNIQUE INDEX "store_points_entry_cause_key_key" ON "store_points_entry"("cause_key");

-- CreateIndex
CREATE INDEX "store_points_entry_store_code_occurred_at_idx" ON "store_points_entry"("store_code", "occurred_at");

-- CreateIndex
CREATE INDEX "stock_late_move_store_code_flagged_at_idx" ON "stock_late_move"("store_code", "flagged_at");

-- AddForeignKey
ALTER TABLE "stock_delivery_line" ADD CONSTRAINT "stock_delivery_line_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "stock_delivery"("id") ON DELETE CASCADE ON UPDATE CASCADE;
