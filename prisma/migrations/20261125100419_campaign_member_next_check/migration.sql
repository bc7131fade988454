-- AlterTable
ALTER TABLE "campaign_member" ADD COLUMN     "next_check_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "campaign_member_status_next_check_at_idx" ON "campaign_member"("status", "next_check_at");
