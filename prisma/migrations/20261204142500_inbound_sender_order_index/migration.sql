-- DropIndex
DROP INDEX "inbound_message_from_user_status_idx";

-- CreateIndex
CREATE INDEX "inbound_message_from_user_status_id_idx" ON "inbound_message"("from_user", "status", "id");
