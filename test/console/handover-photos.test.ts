import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { consoleMiddleware } from '../../src/console';
import { handoverFeature } from '../../src/features/handover';
import { createMediaStore } from '../../src/platform/media';
import { importMasterData } from '../../src/features/masterdata/import';
import { TestClock } from '../helpers/clock';
import { startHarness, type Harness } from '../helpers/harness';
import { member, PNG, seedHandoverAndCount, signIn, type Member } from './helpers';

/**
 * A handover's items with their photos on the console, and the route that serves a photo: the
 * bytes the handover feature stored, to a member who may see the photo's store only.
 */
const clock = new TestClock(new Date('2026-11-25T02:00:00Z').getTime());
const mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-photos-'));
let h: Harness;
let east: Member;
let m2: Member;
let s1: Awaited<ReturnType<typeof seedHandoverAndCount>>;
let s2: Awaited<ReturnType<typeof seedHandoverAndCount>>;
let disputePhoto: bigint;

beforeAll(async () => {
  h = await startHarness({
    features: [handoverFeature],
    clock,
    middleware: consoleMiddleware,
    env: { PUBLIC_URL: 'https://bot.example.com', CONSOLE_SESSION_SECRET: 's'.repeat(40), MEDIA_DIR: mediaDir },
  });
  const db = h.app.db;
  await importMasterData(db, 'stores', 'code,name,area\nS1,一店,华东区\nS2,二店,华东区\n', 'csv');
  await importMasterData(db, 'staff', 'userid,name,store,role,area\neast,刘经理,,区域经理,华东区\nm2,吴店长,S2,店长,\n', 'csv');
  const media = createMediaStore(h.app.config.media);
  s1 = await seedHandoverAndCount(db, media, 'S1', clock.now());
  s2 = await seedHandoverAndCount(db, media, 'S2', clock.now());
  // The incoming colleague disputed the item and sent a photo of what they found.
  await db.handoverItem.update({ where: { id: s1.itemId }, data: { confirmation: 'disputed', disputeNote: '冰箱门没关严' } });
  const bytes = Buffer.concat([PNG, Buffer.from('dispute')]);
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  const storageKey = await media.put(`test/${sha256}.png`, bytes, 'image/png');
  disputePhoto = (
    await db.mediaFile.create({
      data: {
        mediaId: 'media-dispute',
        storeCode: 'S1',
        uploadedBy: 'in-S1',
        inboundId: 'seed:dispute',
        storageKey,
        contentType: 'image/png',
        size: bytes.length,
        sha256,
        disputeItemId: s1.itemId,
        createdAt: clock.now(),
      },
    })
  ).id;
  east = await signIn(h, 'east');
  m2 = await signIn(h, 'm2');
}, 90_000);
afterAll(async () => {
  await h.stop();
  fs.rmSync(mediaDir, { recursive: true, force: true });
});

it("lists a handover's items with the URLs of their photos, the dispute's too", async () => {
  const handovers = (await (await east.get('/console/api/stores/S1/sections/handovers')).json()) as { rows: { id: string; cells: Record<string, unknown> }[] };
  expect(handovers.rows.map((r) => [r.id, r.cells.photos])).toEqual([[String(s1.handoverId), 2]]);
  const res = await east.get(`/console/api/stores/S1/sections/handovers/rows/${s1.handoverId}`);
  expect(res.status).toBe(200);
  const detail = (await res.json()) as { title: string; summary: string; columns: { key: string; format?: string }[]; rows: { cells: Record<string, unknown> }[] };
  expect(detail.title).toBe(`交接 #${s1.handoverId}（2026/11/25 10:00，已完成）`);
  expect(detail.columns.find((c) => c.key === 'photos')).toEqual({ key: 'photos', label: '照片', format: 'photos' });
  expect(detail.rows.map((r) => r.cells)).toEqual([
    {
      position: 1,
      label: '冰箱温度照片',
      status: '正常',
      answer: null,
      finding: '异议：冰箱门没关严',
      confirmation: '有异议',
      photos: `/console/api/stores/S1/photos/${s1.photoId} /console/api/stores/S1/photos/${disputePhoto}`,
    },
  ]);
  expect(detail.summary).toBe('1 项，照片 2 张；点照片放大。');
  expect((await east.get(`/console/api/stores/S1/sections/handovers/rows/${s2.handoverId}`)).status).toBe(404);
});

it('serves a photo byte for byte, as an image that is not cached for others', async () => {
  const res = await east.get(`/console/api/stores/S1/photos/${s1.photoId}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('image/png');
  expect(res.headers.get('cache-control')).toBe('private, max-age=86400');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);
  const dispute = await east.get(`/console/api/stores/S1/photos/${disputePhoto}`);
  expect(Buffer.from(await dispute.arrayBuffer()).equals(Buffer.concat([PNG, Buffer.from('dispute')]))).toBe(true);
});

it("refuses a store's photo to whoever may not see the store (403), and knows no photo of another store (404)", async () => {
  expect((await m2.get(`/console/api/stores/S1/photos/${s1.photoId}`)).status).toBe(403);
  // Under their own store's path, S1's photo is as unknown as a missing one.
  expect((await m2.get(`/console/api/stores/S2/photos/${s1.photoId}`)).status).toBe(404);
  expect((await m2.get(`/console/api/stores/S2/photos/${s2.photoId}`)).status).toBe(200);
  expect((await m2.get('/console/api/stores/S2/photos/999999')).status).toBe(404);
  expect((await m2.get('/console/api/stores/S2/photos/x1')).status).toBe(404);
  expect((await member(h).get(`/console/api/stores/S2/photos/${s2.photoId}`)).status).toBe(401);
});
