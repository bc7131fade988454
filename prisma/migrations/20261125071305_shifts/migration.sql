-- CreateTable
CREATE TABLE "shift" (
    "id" BIGSERIAL NOT NULL,
    "store_code" TEXT NOT NULL,
    "userid" TEXT NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "shift_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "shift_store_code_starts_at_idx" ON "shift"("store_code", "starts_at");

-- CreateIndex
CREATE INDEX "shift_userid_starts_at_idx" ON "shift"("userid", "starts_at");

-- CreateIndex
CREATE UNIQUE INDEX "shift_store_code_userid_starts_at_key" ON "shift"("store_code", "userid", "starts_at");
