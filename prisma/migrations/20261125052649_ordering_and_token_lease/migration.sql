-- AlterTable
ALTER TABLE "access_token" ADD COLUMN     "refreshing_until" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "cron_run" DROP COLUMN "expires_at";

-- CreateIndex
CREATE INDEX "inbound_message_from_user_status_idx" ON "inbound_message"("from_user", "status");

-- CreateIndex
CREATE INDEX "outbox_message_recipient_status_idx" ON "outbox_message"("recipient", "status");
