-- CreateTable
CREATE TABLE "menu_item" (
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "aliases" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "category" TEXT,
    "price" DECIMAL(12,2),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "menu_item_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "recipe" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "product" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "valid_from" TIMESTAMPTZ(3) NOT NULL,
    "yield_quantity" DECIMAL(14,3) NOT NULL,
    "batch_unit" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "recipe_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "recipe_line" (
    "id" BIGSERIAL NOT NULL,
    "recipe_id" BIGINT NOT NULL,
    "modifier" TEXT NOT NULL DEFAULT '',
    "sku_code" TEXT NOT NULL,
    "quantity" DECIMAL(14,4),
    "factor" DECIMAL(8,4),

    CONSTRAINT "recipe_line_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stock_sale_line" (
    "id" BIGSERIAL NOT NULL,
    "external_id" TEXT NOT NULL,
    "store_code" TEXT NOT NULL,
    "item_code" TEXT NOT NULL,
    "item_name" TEXT,
    "modifiers" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "quantity" DECIMAL(14,3) NOT NULL,
    "amount" DECIMAL(12,2),
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "sold_at" TIMESTAMPTZ(3) NOT NULL,
    "recipe_id" BIGINT,
    "unmapped" TEXT,
    "unknown_modifiers" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    "checked_at" TIMESTAMPTZ(3) NOT NULL,
    "booked_at" TIMESTAMPTZ(3),

    CONSTRAINT "stock_sale_line_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stock_unmapped_alert" (
    "store_code" TEXT NOT NULL,
    "item_code" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "sent_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "stock_unmapped_alert_pkey" PRIMARY KEY ("store_code","item_code","day")
);

-- CreateIndex
CREATE UNIQUE INDEX "recipe_kind_product_scope_valid_from_key" ON "recipe"("kind", "product", "scope", "valid_from");

-- CreateIndex
CREATE INDEX "recipe_line_recipe_id_idx" ON "recipe_line"("recipe_id");

-- CreateIndex
CREATE UNIQUE INDEX "stock_sale_line_external_id_key" ON "stock_sale_line"("external_id");

-- CreateIndex
CREATE INDEX "stock_sale_line_store_code_occurred_at_idx" ON "stock_sale_line"("store_code", "occurred_at");

-- CreateIndex
CREATE INDEX "stock_sale_line_unmapped_store_code_idx" ON "stock_sale_line"("unmapped", "store_code");

-- AddForeignKey
ALTER TABLE "recipe_line" ADD CONSTRAINT "recipe_line_recipe_id_fkey" FOREIGN KEY ("recipe_id") REFERENCES "recipe"("id") ON DELETE CASCADE ON UPDATE CASCADE;

