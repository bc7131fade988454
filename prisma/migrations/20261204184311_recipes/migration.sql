-- AlterTable
ALTER TABLE "recipe_line" DROP COLUMN "option",
ADD COLUMN     "modifier" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "stock_sale_line" DROP COLUMN "options",
DROP COLUMN "unknown_options",
ADD COLUMN     "modifiers" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "unknown_modifiers" TEXT[] DEFAULT ARRAY[]::TEXT[];
