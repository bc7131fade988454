-- AlterTable
ALTER TABLE "stock_loss_hold" ADD COLUMN     "decision_ref" TEXT;
