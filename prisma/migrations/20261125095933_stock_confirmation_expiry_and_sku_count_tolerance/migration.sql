-- AlterTable
ALTER TABLE "stock_model_reading" ADD COLUMN     "closed_at" TIMESTAMPTZ(3),
ADD COLUMN     "status" TEXT NOT NULL DEFAULT 'pending';

-- AlterTable
ALTER TABLE "sku" ADD COLUMN     "count_tolerance_percent" DECIMAL(5,2);
