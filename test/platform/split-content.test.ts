import { CONTENT_LIMIT_BYTES, MAX_PARTS, splitContent } from '../../src/platform/outbound';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

it('leaves short text alone', () => {
  expect(splitContent('你好')).toEqual(['你好']);
});

it('splits long Chinese text into parts within 2,048 bytes, on line breaks, losing nothing', () => {
  const lines = Array.from({ length: 120 }, (_, i) => `第${i}行：奶油 20箱 已入库`);
  const parts = splitContent(lines.join('\n'));
  expect(parts.length).toBeGreaterThan(1);
  for (const part of parts) expect(bytes(part)).toBeLessThanOrEqual(CONTENT_LIMIT_BYTES);
  expect(parts.join('\n')).toBe(lines.join('\n'));
});

it('never cuts a character in half, even without line breaks', () => {
  const parts = splitContent('奶'.repeat(1000) + '😀'.repeat(10));
  for (const part of parts) {
    expect(bytes(part)).toBeLessThanOrEqual(CONTENT_LIMIT_BYTES);
    expect(part).not.toContain('\uFFFD');
  }
  expect(parts.join('')).toBe('奶'.repeat(1000) + '😀'.repeat(10));
});

it('cuts past the last part and says so', () => {
  const parts = splitContent('字'.repeat(10_000));
  expect(parts).toHaveLength(MAX_PARTS);
  expect(parts[MAX_PARTS - 1]).toMatch(/已截断）$/);
  expect(bytes(parts[MAX_PARTS - 1])).toBeLessThanOrEqual(CONTENT_LIMIT_BYTES);
});
