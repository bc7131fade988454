-- AlterTable
ALTER TABLE "stock_move" ADD COLUMN     "entered_quantity" DECIMAL(14,3),
ADD COLUMN     "entered_unit" TEXT;
