import { Type, type Static } from '@sinclair/typebox';
import { campaignMachine } from './campaigns.machine.ts';

// TypeBox schemas of the campaigns admin API: validation, TS types and OpenAPI from one source.
const Text = (max: number, description?: string) => Type.String({ maxLength: max, ...(description ? { description } : {}) });

export const CampaignStatus = Type.Union(campaignMachine.states.map((s) => Type.Literal(s)));

export const CampaignCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    client: Type.String({ minLength: 1, maxLength: 100, description: 'cli_…: grants are issued in this client\'s name (its webhooks, its reports)' }),
    product: Type.String({ minLength: 1, maxLength: 100, description: 'product sku or id (prd_…), any kind' }),
    budget: Type.Integer({ minimum: 1, maximum: 10_000_000, description: 'total grants the campaign gives' }),
    per_person_limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 1, description: 'grants per verified phone' })),
    starts_at: Type.String({ format: 'date-time' }),
    ends_at: Type.String({ format: 'date-time' }),
    description: Type.Optional(Text(2000, 'shown on the page')),
    instructions: Type.Optional(Text(4000, 'how to use it, shown before the tap')),
    activate: Type.Optional(Type.Boolean({ description: 'go live at once (otherwise a draft)' })),
  },
  { additionalProperties: false },
);
export type CampaignCreate = Static<typeof CampaignCreate>;

export const CampaignUpdate = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    budget: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000, description: 'not below used' })),
    per_person_limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    starts_at: Type.Optional(Type.String({ format: 'date-time' })),
    ends_at: Type.Optional(Type.String({ format: 'date-time' })),
    description: Type.Optional(Text(2000)),
    instructions: Type.Optional(Text(4000)),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type CampaignUpdate = Static<typeof CampaignUpdate>;

export const Campaign = Type.Object({
  id: Type.String({ description: 'cmp_…' }),
  slug: Type.String(),
  name: Type.String(),
  client_id: Type.String(),
  product_id: Type.String(),
  budget: Type.Integer(),
  used: Type.Integer({ description: 'grants claimed (a claim being issued counts)' }),
  remaining: Type.Integer(),
  per_person_limit: Type.Integer(),
  starts_at: Type.String({ format: 'date-time' }),
  ends_at: Type.String({ format: 'date-time' }),
  status: CampaignStatus,
  description: Type.String(),
  instructions: Type.String(),
  public_url: Type.String({ description: 'PUBLIC_URL/c/<slug>: the link to post' }),
  qr_png_url: Type.String(),
  qr_svg_url: Type.String(),
  created_by: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export type Campaign = Static<typeof Campaign>;

export const CampaignListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 100 })),
    status: Type.Optional(CampaignStatus),
  },
  { additionalProperties: false },
);
