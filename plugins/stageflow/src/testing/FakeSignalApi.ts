import { SignalApi } from '@backstage/plugin-signals-react';

/** A signals API whose messages the test publishes. */
export class FakeSignalApi implements SignalApi {
  private readonly subscribers = new Set<{
    channel: string;
    onMessage: (message: any) => void;
  }>();

  subscribe(channel: string, onMessage: (message: any) => void) {
    const subscriber = { channel, onMessage };
    this.subscribers.add(subscriber);
    return { unsubscribe: () => this.subscribers.delete(subscriber) };
  }

  publish(channel: string, message: object) {
    for (const subscriber of this.subscribers) {
      if (subscriber.channel === channel) subscriber.onMessage(message);
    }
  }
}
