-- CreateTable
CREATE TABLE "checklist_template" (
    "scope" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "definition" JSONB NOT NULL,
    "checksum" TEXT NOT NULL,
    "imported_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "checklist_template_pkey" PRIMARY KEY ("scope","version")
);

-- CreateTable
CREATE TABLE "handover" (
    "id" BIGSERIAL NOT NULL,
    "store_code" TEXT NOT NULL,
    "outgoing_userid" TEXT NOT NULL,
    "incoming_userid" TEXT,
    "template_scope" TEXT NOT NULL,
    "template_version" INTEGER NOT NULL,
    "state" TEXT NOT NULL,
    "guided" BOOLEAN NOT NULL DEFAULT false,
    "step_by_step" BOOLEAN NOT NULL DEFAULT false,
    "start_inbound_id" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "submitted_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "resolved_by" TEXT,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "handover_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "handover_item" (
    "id" BIGSERIAL NOT NULL,
    "handover_id" BIGINT NOT NULL,
    "position" INTEGER NOT NULL,
    "item_key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "answer" JSONB,
    "finding" TEXT,
    "answered_at" TIMESTAMPTZ(3),
    "answer_inbound_id" TEXT,
    "confirmation" TEXT,
    "dispute_note" TEXT,
    "confirmed_at" TIMESTAMPTZ(3),
    "confirm_inbound_id" TEXT,

    CONSTRAINT "handover_item_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "media_file" (
    "id" BIGSERIAL NOT NULL,
    "media_id" TEXT NOT NULL,
    "store_code" TEXT,
    "uploaded_by" TEXT NOT NULL,
    "inbound_id" TEXT NOT NULL,
    "storage_key" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "handover_item_id" BIGINT,
    "dispute_item_id" BIGINT,
    "work_order_id" BIGINT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "media_file_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "handover_log" (
    "store_code" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "handover_id" BIGINT NOT NULL,
    "step" TEXT NOT NULL,
    "actor" TEXT,
    "inbound_id" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "data" JSONB NOT NULL,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "handover_log_pkey" PRIMARY KEY ("store_code","seq")
);

-- CreateTable
CREATE TABLE "handover_guidance_flag" (
    "userid" TEXT NOT NULL,
    "flagged_by" TEXT NOT NULL,
    "flagged_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "handover_guidance_flag_pkey" PRIMARY KEY ("userid")
);

-- CreateTable
CREATE TABLE "work_order" (
    "id" BIGSERIAL NOT NULL,
    "source_ref" TEXT NOT NULL,
    "store_code" TEXT NOT NULL,
    "equipment" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "priority" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "opened_by" TEXT NOT NULL,
    "opened_at" TIMESTAMPTZ(3) NOT NULL,
    "recipients" TEXT[],
    "ack_by" TEXT,
    "ack_at" TIMESTAMPTZ(3),
    "closed_by" TEXT,
    "closed_at" TIMESTAMPTZ(3),

    CONSTRAINT "work_order_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "work_order_update" (
    "id" BIGSERIAL NOT NULL,
    "work_order_id" BIGINT NOT NULL,
    "cause_key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "by" TEXT NOT NULL,
    "note" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "work_order_update_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "handover_start_inbound_id_key" ON "handover"("start_inbound_id");

-- CreateIndex
CREATE INDEX "handover_store_code_started_at_idx" ON "handover"("store_code", "started_at");

-- CreateIndex
CREATE INDEX "handover_outgoing_userid_state_idx" ON "handover"("outgoing_userid", "state");

-- CreateIndex
CREATE INDEX "handover_incoming_userid_state_idx" ON "handover"("incoming_userid", "state");

-- CreateIndex
CREATE UNIQUE INDEX "handover_item_handover_id_position_key" ON "handover_item"("handover_id", "position");

-- CreateIndex
CREATE UNIQUE INDEX "media_file_media_id_key" ON "media_file"("media_id");

-- CreateIndex
CREATE INDEX "media_file_uploaded_by_created_at_idx" ON "media_file"("uploaded_by", "created_at");

-- CreateIndex
CREATE INDEX "media_file_handover_item_id_idx" ON "media_file"("handover_item_id");

-- CreateIndex
CREATE INDEX "media_file_work_order_id_idx" ON "media_file"("work_order_id");

-- CreateIndex
CREATE INDEX "handover_log_handover_id_idx" ON "handover_log"("handover_id");

-- CreateIndex
CREATE UNIQUE INDEX "work_order_source_ref_key" ON "work_order"("source_ref");

-- CreateIndex
CREATE INDEX "work_order_store_code_opened_at_idx" ON "work_order"("store_code", "opened_at");

-- CreateIndex
CREATE UNIQUE INDEX "work_order_update_cause_key_key" ON "work_order_update"("cause_key");

-- CreateIndex
CREATE INDEX "work_order_update_work_order_id_idx" ON "work_order_update"("work_order_id");

-- AddForeignKey
ALTER TABLE "handover_item" ADD CONSTRAINT "handover_item_handover_id_fkey" FOREIGN KEY ("handover_id") REFERENCES "handover"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "work_order_update" ADD CONSTRAINT "work_order_update_work_order_id_fkey" FOREIGN KEY ("work_order_id") REFERENCES "work_order"("id") ON DELETE CASCADE ON UPDATE CASCADE;
