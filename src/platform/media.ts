import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { BotContext } from '../bot/context';
import type { MediaConfig } from '../config';
import type { MediaFile } from '../generated/prisma/client';

/** Where the bytes of a photo live. Keys are ours (`2026/11/25/<sha256>.jpg`), never a path from outside. */
export interface MediaStore {
  /** Stores the bytes; returns the storage key kept in media_file (`local:…` / `s3:bucket/…`). */
  put(key: string, data: Buffer, contentType: string): Promise<string>;
  get(storageKey: string): Promise<Buffer>;
}

export function createMediaStore(config: MediaConfig): MediaStore {
  if (config.kind === 'local') {
    return {
      async put(key, data) {
        const file = path.join(config.dir, key);
        await fs.mkdir(path.dirname(file), { recursive: true });
        // Write then rename: a crash never leaves half a photo under the final name.
        const partial = `${file}.${crypto.randomBytes(4).toString('hex')}.part`;
        await fs.writeFile(partial, data);
        await fs.rename(partial, file);
        return `local:${key}`;
      },
      async get(storageKey) {
        if (!storageKey.startsWith('local:')) throw new Error(`not a local media key: ${storageKey}`);
        return fs.readFile(path.join(config.dir, storageKey.slice('local:'.length)));
      },
    };
  }
  const client = new S3Client({
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.forcePathStyle,
    credentials: config.accessKeyId && config.secretAccessKey ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } : undefined,
  });
  return {
    async put(key, data, contentType) {
      await client.send(new PutObjectCommand({ Bucket: config.bucket, Key: key, Body: data, ContentType: contentType }));
      return `s3:${config.bucket}/${key}`;
    },
    async get(storageKey) {
      const m = /^s3:([^/]+)\/(.+)$/.exec(storageKey);
      if (!m) throw new Error(`not an S3 media key: ${storageKey}`);
      const answer = await client.send(new GetObjectCommand({ Bucket: m[1], Key: m[2] }));
      return Buffer.from(await answer.Body!.transformToByteArray());
    },
  };
}

const EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/gif': 'gif', 'image/webp': 'webp' };

/**
 * Downloads the image of this message from WeCom right away (media ids expire after three days)
 * and stores it. A WeCom retry of the same message finds the row and downloads nothing again.
 */
export async function keepPhoto(ctx: BotContext, store: MediaStore, storeCode: string | null): Promise<MediaFile> {
  const mediaId = ctx.message.mediaId;
  if (!mediaId) throw new Error('keepPhoto called for a message without a media id');
  const earlier = await ctx.db.mediaFile.findUnique({ where: { mediaId } });
  if (earlier) return earlier;
  const file = await ctx.wecom.getMedia(mediaId);
  const sha256 = crypto.createHash('sha256').update(file.data).digest('hex');
  const day = ctx.clock.now().toISOString().slice(0, 10).replace(/-/g, '/');
  const contentType = file.contentType.split(';')[0].trim();
  const storageKey = await store.put(`${day}/${sha256}.${EXTENSIONS[contentType] ?? 'bin'}`, file.data, contentType);
  const data = { mediaId, storeCode, uploadedBy: ctx.message.fromUser, inboundId: ctx.message.id, storageKey, contentType, size: file.data.length, sha256, createdAt: ctx.clock.now() };
  // Two replicas racing on one message: the unique media id keeps one row.
  await ctx.db.mediaFile.createMany({ data: [data], skipDuplicates: true });
  return ctx.db.mediaFile.findUniqueOrThrow({ where: { mediaId } });
}

/** A stored photo uploaded again to WeCom, so it can be sent as an image message (a fresh 3-day media id). */
export async function reuploadPhoto(ctx: { wecom: BotContext['wecom'] }, store: MediaStore, file: MediaFile): Promise<string> {
  const data = await store.get(file.storageKey);
  const uploaded = await ctx.wecom.uploadMedia('image', data, `${file.sha256.slice(0, 12)}.${EXTENSIONS[file.contentType] ?? 'jpg'}`, file.contentType);
  return uploaded.media_id;
}
