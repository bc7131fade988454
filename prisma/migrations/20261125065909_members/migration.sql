-- CreateTable
CREATE TABLE "member" (
    "code" TEXT NOT NULL,
    "name" TEXT,
    "phone_hash" TEXT,
    "external_userid" TEXT,
    "owner_userid" TEXT,
    "home_store" TEXT,
    "marketing_opt_in" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "member_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "member_order" (
    "order_id" TEXT NOT NULL,
    "member_code" TEXT NOT NULL,
    "store_code" TEXT NOT NULL,
    "ordered_at" TIMESTAMPTZ(3) NOT NULL,
    "amount" DECIMAL(12,2) NOT NULL,
    "discount" DECIMAL(12,2) NOT NULL DEFAULT 0,
    "coupon_code" TEXT,
    "dwell_seconds" INTEGER,
    "lines" JSONB NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "member_order_pkey" PRIMARY KEY ("order_id")
);

-- CreateTable
CREATE TABLE "member_profile" (
    "member_code" TEXT NOT NULL,
    "first_order_at" TIMESTAMPTZ(3),
    "last_order_at" TIMESTAMPTZ(3),
    "orders_30d" INTEGER NOT NULL,
    "orders_90d" INTEGER NOT NULL,
    "orders_total" INTEGER NOT NULL,
    "monetary_90d" DECIMAL(14,2) NOT NULL,
    "monetary_total" DECIMAL(14,2) NOT NULL,
    "avg_ticket" DECIMAL(12,2) NOT NULL,
    "favourite_categories" JSONB NOT NULL,
    "discount_share" DOUBLE PRECISION NOT NULL,
    "avg_dwell_seconds" INTEGER,
    "r_score" INTEGER,
    "f_score" INTEGER,
    "m_score" INTEGER,
    "computed_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "member_profile_pkey" PRIMARY KEY ("member_code")
);

-- CreateTable
CREATE TABLE "member_tag_rule" (
    "name" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "definition" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "member_tag_rule_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "member_tag" (
    "member_code" TEXT NOT NULL,
    "tag" TEXT NOT NULL,
    "since" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "member_tag_pkey" PRIMARY KEY ("member_code","tag")
);

-- CreateTable
CREATE TABLE "member_tag_mark" (
    "member_code" TEXT NOT NULL,
    "tag" TEXT NOT NULL,
    "owner_userid" TEXT NOT NULL,
    "marked_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "member_tag_mark_pkey" PRIMARY KEY ("member_code","tag")
);

-- CreateTable
CREATE TABLE "member_corp_tag" (
    "name" TEXT NOT NULL,
    "tag_id" TEXT NOT NULL,
    "group_id" TEXT NOT NULL,

    CONSTRAINT "member_corp_tag_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "campaign" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "priority" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "definition" JSONB NOT NULL,
    "last_run_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "campaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "campaign_member" (
    "id" BIGSERIAL NOT NULL,
    "campaign_id" TEXT NOT NULL,
    "member_code" TEXT NOT NULL,
    "arm" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "coupon_code" TEXT,
    "valid_from" TIMESTAMPTZ(3) NOT NULL,
    "valid_until" TIMESTAMPTZ(3) NOT NULL,
    "channel" TEXT,
    "owner_userid" TEXT,
    "external_userid" TEXT,
    "msgid" TEXT,
    "failure" TEXT,
    "assigned_at" TIMESTAMPTZ(3) NOT NULL,
    "sent_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "reminded_at" TIMESTAMPTZ(3),

    CONSTRAINT "campaign_member_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "campaign_report" (
    "campaign_id" TEXT NOT NULL,
    "report" JSONB NOT NULL,
    "pushed_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "campaign_report_pkey" PRIMARY KEY ("campaign_id")
);

-- CreateIndex
CREATE INDEX "member_phone_hash_idx" ON "member"("phone_hash");

-- CreateIndex
CREATE INDEX "member_external_userid_idx" ON "member"("external_userid");

-- CreateIndex
CREATE INDEX "member_home_store_idx" ON "member"("home_store");

-- CreateIndex
CREATE INDEX "member_order_member_code_ordered_at_idx" ON "member_order"("member_code", "ordered_at");

-- CreateIndex
CREATE INDEX "member_order_ordered_at_idx" ON "member_order"("ordered_at");

-- CreateIndex
CREATE INDEX "member_order_coupon_code_idx" ON "member_order"("coupon_code");

-- CreateIndex
CREATE INDEX "member_profile_last_order_at_idx" ON "member_profile"("last_order_at");

-- CreateIndex
CREATE INDEX "member_tag_tag_idx" ON "member_tag"("tag");

-- CreateIndex
CREATE UNIQUE INDEX "campaign_member_coupon_code_key" ON "campaign_member"("coupon_code");

-- CreateIndex
CREATE INDEX "campaign_member_member_code_assigned_at_idx" ON "campaign_member"("member_code", "assigned_at");

-- CreateIndex
CREATE INDEX "campaign_member_campaign_id_status_idx" ON "campaign_member"("campaign_id", "status");

-- CreateIndex
CREATE INDEX "campaign_member_status_owner_userid_idx" ON "campaign_member"("status", "owner_userid");

-- CreateIndex
CREATE INDEX "campaign_member_msgid_idx" ON "campaign_member"("msgid");

-- CreateIndex
CREATE UNIQUE INDEX "campaign_member_campaign_id_member_code_key" ON "campaign_member"("campaign_id", "member_code");
