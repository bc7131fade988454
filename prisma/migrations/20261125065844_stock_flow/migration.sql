-- AlterTable
ALTER TABLE "store" ADD COLUMN     "aliases" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "stock_transfer" (
    "id" BIGSERIAL NOT NULL,
    "from_store" TEXT NOT NULL,
    "to_store" TEXT NOT NULL,
    "sku_code" TEXT NOT NULL,
    "quantity" DECIMAL(14,3) NOT NULL,
    "status" TEXT NOT NULL,
    "sent_by" TEXT NOT NULL,
    "sent_at" TIMESTAMPTZ(3) NOT NULL,
    "received_quantity" DECIMAL(14,3),
    "difference_note" TEXT,
    "received_by" TEXT,
    "received_at" TIMESTAMPTZ(3),
    "cancelled_at" TIMESTAMPTZ(3),
    "out_move_id" BIGINT NOT NULL,
    "in_move_id" BIGINT,
    "external_id" TEXT NOT NULL,

    CONSTRAINT "stock_transfer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stock_count" (
    "id" BIGSERIAL NOT NULL,
    "store_code" TEXT NOT NULL,
    "category" TEXT,
    "status" TEXT NOT NULL,
    "opened_by" TEXT NOT NULL,
    "opened_at" TIMESTAMPTZ(3) NOT NULL,
    "closed_by" TEXT,
    "closed_at" TIMESTAMPTZ(3),
    "approved_by" TEXT,
    "approved_at" TIMESTAMPTZ(3),
    "skus_counted" INTEGER,
    "within_tolerance" DECIMAL(7,6),
    "accuracy_by_quantity" DECIMAL(7,6),
    "accuracy_by_cost" DECIMAL(7,6),
    "external_id" TEXT NOT NULL,

    CONSTRAINT "stock_count_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stock_count_entry" (
    "id" BIGSERIAL NOT NULL,
    "count_id" BIGINT NOT NULL,
    "sku_code" TEXT NOT NULL,
    "counted" DECIMAL(14,3) NOT NULL,
    "book" DECIMAL(14,3) NOT NULL,
    "counted_by" TEXT NOT NULL,
    "counted_at" TIMESTAMPTZ(3) NOT NULL,
    "source" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,

    CONSTRAINT "stock_count_entry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stock_pending_input" (
    "userid" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "stock_pending_input_pkey" PRIMARY KEY ("userid")
);

-- CreateTable
CREATE TABLE "stock_sync_document" (
    "source" TEXT NOT NULL,
    "document" TEXT NOT NULL,
    "document_id" TEXT NOT NULL,
    "store_code" TEXT NOT NULL,
    "lines" INTEGER NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "stock_sync_document_pkey" PRIMARY KEY ("source","document","document_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "stock_transfer_out_move_id_key" ON "stock_transfer"("out_move_id");

-- CreateIndex
CREATE UNIQUE INDEX "stock_transfer_in_move_id_key" ON "stock_transfer"("in_move_id");

-- CreateIndex
CREATE UNIQUE INDEX "stock_transfer_external_id_key" ON "stock_transfer"("external_id");

-- CreateIndex
CREATE INDEX "stock_transfer_to_store_status_idx" ON "stock_transfer"("to_store", "status");

-- CreateIndex
CREATE UNIQUE INDEX "stock_count_external_id_key" ON "stock_count"("external_id");

-- CreateIndex
CREATE INDEX "stock_count_store_code_status_idx" ON "stock_count"("store_code", "status");

-- CreateIndex
CREATE INDEX "stock_count_closed_at_idx" ON "stock_count"("closed_at");

-- CreateIndex
CREATE UNIQUE INDEX "stock_count_entry_external_id_key" ON "stock_count_entry"("external_id");

-- CreateIndex
CREATE INDEX "stock_count_entry_count_id_sku_code_id_idx" ON "stock_count_entry"("count_id", "sku_code", "id");

-- AddForeignKey
ALTER TABLE "stock_count_entry" ADD CONSTRAINT "stock_count_entry_count_id_fkey" FOREIGN KEY ("count_id") REFERENCES "stock_count"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
