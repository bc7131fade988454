-- CreateTable
CREATE TABLE "task" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "source_ref" TEXT NOT NULL,
    "store_code" TEXT NOT NULL,
    "assignee" TEXT,
    "title" TEXT NOT NULL,
    "detail" TEXT,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "ladder" TEXT NOT NULL DEFAULT 'default',
    "actions" JSONB NOT NULL DEFAULT '[]',
    "state" TEXT NOT NULL DEFAULT 'open',
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acknowledged_at" TIMESTAMPTZ(3),
    "acknowledged_by" TEXT,
    "closed_at" TIMESTAMPTZ(3),
    "closed_by" TEXT,
    "next_step" INTEGER NOT NULL DEFAULT 0,
    "next_notice_at" TIMESTAMPTZ(3),

    CONSTRAINT "task_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "task_event" (
    "id" BIGSERIAL NOT NULL,
    "task_id" BIGINT NOT NULL,
    "action" TEXT NOT NULL,
    "from_state" TEXT,
    "to_state" TEXT NOT NULL,
    "by" TEXT,
    "inbound_id" BIGINT,
    "note" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "task_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "task_notice" (
    "task_id" BIGINT NOT NULL,
    "step" INTEGER NOT NULL,
    "recipients" TEXT[],
    "sent_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "task_notice_pkey" PRIMARY KEY ("task_id","step")
);

-- CreateTable
CREATE TABLE "task_card" (
    "id" BIGSERIAL NOT NULL,
    "task_id" BIGINT NOT NULL,
    "step" INTEGER NOT NULL,
    "recipient" TEXT NOT NULL,
    "outbox_key" TEXT NOT NULL,
    "sent_at" TIMESTAMPTZ(3) NOT NULL,
    "finalized_at" TIMESTAMPTZ(3),

    CONSTRAINT "task_card_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "task_state_next_notice_at_idx" ON "task"("state", "next_notice_at");

-- CreateIndex
CREATE INDEX "task_state_ladder_due_at_idx" ON "task"("state", "ladder", "due_at");

-- CreateIndex
CREATE INDEX "task_store_code_state_due_at_idx" ON "task"("store_code", "state", "due_at");

-- CreateIndex
CREATE INDEX "task_assignee_state_idx" ON "task"("assignee", "state");

-- CreateIndex
CREATE UNIQUE INDEX "task_kind_source_ref_key" ON "task"("kind", "source_ref");

-- CreateIndex
CREATE INDEX "task_event_task_id_id_idx" ON "task_event"("task_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "task_card_outbox_key_key" ON "task_card"("outbox_key");

-- CreateIndex
CREATE INDEX "task_card_recipient_task_id_idx" ON "task_card"("recipient", "task_id");

-- CreateIndex
CREATE INDEX "task_card_finalized_at_idx" ON "task_card"("finalized_at");

-- CreateIndex
CREATE UNIQUE INDEX "task_card_task_id_step_recipient_key" ON "task_card"("task_id", "step", "recipient");
