-- AlterTable
ALTER TABLE "stock_model_reading" ADD COLUMN     "closed_at" TIMESTAMPTZ(3),
ADD COLUMN     "status" TEXT NOT NULL DEFAULT 'pending';

-- AlterTable
ALTER TABLE "sku" ADD COLUMN     "count_tolerance_percent" DECIMAL(5,2);

-- Readings from before statuses: those whose message was booked (or held for review) were confirmed.
UPDATE "stock_model_reading" r SET "status" = 'confirmed', "closed_at" = r."created_at"
WHERE EXISTS (SELECT 1 FROM "stock_move" m WHERE m."external_id" = 'chat:' || r."inbound_id")
   OR EXISTS (SELECT 1 FROM "stock_loss_hold" h WHERE h."source_key" = 'chat:' || r."inbound_id");
