-- CreateTable
CREATE TABLE "sandbox_chat_entry" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "data" JSONB NOT NULL,

    CONSTRAINT "sandbox_chat_entry_pkey" PRIMARY KEY ("id")
);
