import { mockServices } from '@backstage/backend-test-utils';
import express from 'express';
import request from 'supertest';
import {
  REGISTRY_NOTIFICATIONS_PATH,
  createRegistryNotificationsRouter,
} from './createRegistryNotificationsRouter';
import { PushRefresher } from './PushRefresher';

const SECRET = 'test-secret';

async function app() {
  const imagesChanged = jest.fn(async (changes: unknown[]) =>
    changes.length ? ['component:default/phippy'] : [],
  );
  const router = await createRegistryNotificationsRouter({
    secret: SECRET,
    refresher: { imagesChanged } as unknown as PushRefresher,
    logger: mockServices.logger.mock(),
  });
  return { server: express().use(router), imagesChanged };
}

describe('registry notifications', () => {
  it("hands one notification's manifest events to the refresher at once, leaving out blobs and pulls", async () => {
    const { server, imagesChanged } = await app();
    const res = await request(server)
      .post(REGISTRY_NOTIFICATIONS_PATH)
      .set('authorization', `Bearer ${SECRET}`)
      .set('content-type', 'application/vnd.docker.distribution.events.v1+json')
      .send({
        events: [
          {
            action: 'mount',
            target: {
              repository: 'acme/phippy',
              mediaType: 'application/octet-stream',
            },
          },
          {
            action: 'push',
            target: {
              repository: 'acme/phippy',
              mediaType: 'application/vnd.oci.image.config.v1+json',
            },
          },
          {
            action: 'pull',
            target: {
              repository: 'acme/phippy',
              mediaType: 'application/vnd.oci.image.manifest.v1+json',
              tag: 'prd',
            },
          },
          {
            action: 'push',
            target: {
              repository: 'acme/phippy',
              mediaType: 'application/vnd.oci.image.manifest.v1+json',
              tag: 'prd',
            },
          },
          { action: 'delete', target: { repository: 'acme/other' } },
        ],
      });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ refreshed: ['component:default/phippy'] });
    expect(imagesChanged).toHaveBeenCalledTimes(1);
    expect(imagesChanged).toHaveBeenCalledWith([
      { repository: 'acme/phippy', tag: 'prd' },
      { repository: 'acme/other', tag: undefined },
    ]);
  });

  it('refuses a notification without the shared secret', async () => {
    const { server, imagesChanged } = await app();
    const res = await request(server)
      .post(REGISTRY_NOTIFICATIONS_PATH)
      .set('authorization', 'Bearer wrong')
      .send({ events: [] });
    expect(res.status).not.toBe(200);
    expect(imagesChanged).not.toHaveBeenCalled();
  });
});
