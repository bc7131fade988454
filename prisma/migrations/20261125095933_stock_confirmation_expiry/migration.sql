-- AlterTable
ALTER TABLE "stock_model_reading" ADD COLUMN     "closed_at" TIMESTAMPTZ(3),
ADD COLUMN     "status" TEXT NOT NULL DEFAULT 'pending';
