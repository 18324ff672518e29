import { z } from 'zod';

/**
 * Reads a submitted view's state. Input blocks may carry a revision suffix (`key_name.<rev>`):
 * Slack keeps what a person typed in a block across views.update unless its block_id changes,
 * so a modal that prefills values renames its blocks. Readers match the base id or any revision.
 */
export type ViewValues = Record<string, Record<string, unknown>>;

export const withRevision = (blockId: string, revision?: string) => (revision ? `${blockId}.${revision}` : blockId);

const element = z
  .object({
    value: z.string().nullish(),
    selected_option: z.object({ value: z.string() }).nullish(),
    selected_options: z.array(z.object({ value: z.string() })).nullish(),
  })
  .partial();

function find(values: unknown, blockId: string, actionId: string): { blockId: string; element: z.infer<typeof element> } | undefined {
  if (!values || typeof values !== 'object') return undefined;
  for (const [id, actions] of Object.entries(values as ViewValues)) {
    if (id !== blockId && !id.startsWith(`${blockId}.`)) continue;
    const parsed = element.safeParse(actions?.[actionId]);
    if (parsed.success) return { blockId: id, element: parsed.data };
  }
  return undefined;
}

export const readText = (values: unknown, blockId: string, actionId: string) => find(values, blockId, actionId)?.element.value ?? undefined;

export const readSelected = (values: unknown, blockId: string, actionId: string) =>
  find(values, blockId, actionId)?.element.selected_option?.value ?? undefined;

export const readMulti = (values: unknown, blockId: string, actionId: string) =>
  (find(values, blockId, actionId)?.element.selected_options ?? []).map((o) => o.value);

/** The block id actually present in the view (with its revision), for `response_action: errors`. */
export const presentBlockId = (values: unknown, blockId: string) => {
  if (values && typeof values === 'object') {
    for (const id of Object.keys(values)) if (id === blockId || id.startsWith(`${blockId}.`)) return id;
  }
  return blockId;
};
