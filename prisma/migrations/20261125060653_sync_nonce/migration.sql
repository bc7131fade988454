-- CreateTable
CREATE TABLE "sync_nonce" (
    "source" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sync_nonce_pkey" PRIMARY KEY ("source","nonce")
);

-- CreateIndex
CREATE INDEX "sync_nonce_received_at_idx" ON "sync_nonce"("received_at");
