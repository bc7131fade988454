-- CreateTable
CREATE TABLE "store_score" (
    "store_code" TEXT NOT NULL,
    "month" TEXT NOT NULL,
    "points" DECIMAL(6,2),
    "available_points" INTEGER NOT NULL,
    "complete" BOOLEAN NOT NULL,
    "parts" JSONB NOT NULL,
    "computed_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "store_score_pkey" PRIMARY KEY ("store_code","month")
);

-- CreateIndex
CREATE INDEX "store_score_month_idx" ON "store_score"("month");
