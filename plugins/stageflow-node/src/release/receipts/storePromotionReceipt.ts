import { LoggerService } from '@backstage/backend-plugin-api';
import { RegistryService, WritableRegistryClient } from '../../registry/types';
import { PromotionPlan } from '../planPromotion';
import { PromotionReceipt, writePromotionReceipt } from './promotionReceipt';

/**
 * Stores the receipt of a promotion that ran next to the stage's image.
 * The promotion happened: a failure is logged, never thrown.
 */
export async function storePromotionReceipt(options: {
  registry: RegistryService;
  plan: PromotionPlan;
  receipt: Omit<
    PromotionReceipt,
    'digest' | 'stage' | 'version' | 'tag' | 'sha'
  >;
  logger: LoggerService;
}): Promise<string | undefined> {
  const { plan, logger } = options;
  const [target] = plan.targets;
  if (!target) {
    return undefined;
  }
  try {
    const client = options.registry.forHost(target.registry);
    if (!('putManifest' in client)) {
      logger.warn('Stageflow cannot store a receipt in this registry', {
        registry: target.registry,
      });
      return undefined;
    }
    const writable = client as WritableRegistryClient;
    const subject = await writable.resolve({
      registry: target.registry,
      repository: target.repository,
      digest: plan.digest,
    });
    if (!subject) {
      throw new Error(`${plan.digest} is not in ${target.repository}`);
    }
    const stored = await writePromotionReceipt(writable, {
      repository: target.repository,
      subject,
      receipt: {
        ...options.receipt,
        stage: plan.stage,
        version: plan.version,
        tag: plan.tag,
        sha: plan.sha,
        digest: plan.digest,
      },
    });
    logger.info('Stored the promotion receipt', {
      repository: target.repository,
      subject: plan.digest,
      receipt: stored.digest,
    });
    return stored.digest;
  } catch (error) {
    logger.error('Stageflow could not store the promotion receipt', {
      repository: target.repository,
      subject: plan.digest,
      error: (error as Error)?.message ?? String(error),
    });
    return undefined;
  }
}
