import type { Staff } from '../generated/prisma/client';
import { isManager } from '../people';

/** Who may use the console: active managers of any level (what each sees is visibleStores, src/people.ts). */
export function mayUseConsole(staff: Staff | null): staff is Staff {
  return Boolean(staff?.active && isManager(staff));
}
