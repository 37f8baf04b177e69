import type { Command } from 'commander';
import { FormatRegistry } from '@sinclair/typebox';
import { EXIT, printJson } from '../../platform/cli/output.ts';
import { validateInput } from '../../platform/cli/validate.ts';
import type { CommandEnv } from '../../platform/module.ts';
import { CampaignCreate } from './campaigns.schemas.ts';
import { createCampaign, listCampaignViews, transitionCampaign } from './campaigns.service.ts';
import type { CampaignEvent } from './campaigns.machine.ts';
import type { Campaign } from './campaigns.schemas.ts';

// `quanyi campaigns …`: the same service as the console (validated by the same schema, audited as `cli`).
// TypeBox knows no formats until told; the window is two date-times.
if (!FormatRegistry.Has('date-time')) {
  FormatRegistry.Set('date-time', (v) => /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/i.test(v) && !Number.isNaN(Date.parse(v)));
}

const line = (c: Campaign) => `${c.id}  ${c.status.padEnd(6)}  ${String(c.used).padStart(6)}/${c.budget}  ${c.name}  ${c.public_url}\n`;

export function registerCampaigns(program: Command, env: CommandEnv) {
  const cmd = program.command('campaigns').description('campaign links: a public link where a verified phone claims one grant');
  cmd
    .command('create')
    .description('create a campaign; prints its public URL (PUBLIC_URL/c/<slug>)')
    .requiredOption('--name <name>', 'shown on the page')
    .requiredOption('--client <id>', 'cli_…: grants are issued in its name')
    .requiredOption('--product <sku|id>', 'what a visitor gets')
    .requiredOption('--budget <n>', 'total grants')
    .requiredOption('--ends-at <date-time>', 'e.g. 2026-12-31T16:00:00Z')
    .option('--starts-at <date-time>', 'default: now')
    .option('--per-person <n>', 'grants per verified phone', '1')
    .option('--description <text>')
    .option('--instructions <text>')
    .option('--activate', 'go live at once (otherwise a draft)')
    .option('--json', 'print the campaign as JSON')
    .action(async (o) => {
      await env.run('campaigns create', Boolean(o.json), async (ctx) => {
        const input = validateInput(CampaignCreate, {
          name: o.name,
          client: o.client,
          product: o.product,
          budget: Number(o.budget),
          per_person_limit: Number(o.perPerson),
          starts_at: o.startsAt ?? new Date().toISOString(),
          ends_at: o.endsAt,
          ...(o.description !== undefined ? { description: o.description } : {}),
          ...(o.instructions !== undefined ? { instructions: o.instructions } : {}),
          activate: Boolean(o.activate),
        });
        const c = await createCampaign(ctx, input, 'cli');
        if (o.json) printJson(c);
        else process.stdout.write(`campaign ${c.id} (${c.status}): ${c.public_url}\n`);
        return EXIT.ok;
      });
    });
  cmd
    .command('list')
    .description('campaigns, newest first, with budget used')
    .option('--status <status>', 'draft | active | paused | ended')
    .option('--json')
    .action(async (o) => {
      await env.run('campaigns list', Boolean(o.json), async (ctx) => {
        const page = await listCampaignViews(ctx, { limit: 200, status: o.status });
        if (o.json) printJson(page.data);
        else for (const c of page.data) process.stdout.write(line(c));
        return EXIT.ok;
      });
    });
  for (const event of ['activate', 'pause', 'resume', 'end'] as CampaignEvent[]) {
    cmd
      .command(`${event} <id>`)
      .description(`${event} a campaign`)
      .option('--json')
      .action(async (id: string, o) => {
        await env.run(`campaigns ${event}`, Boolean(o.json), async (ctx) => {
          const c = await transitionCampaign(ctx, id, event, 'cli');
          if (o.json) printJson(c);
          else process.stdout.write(line(c));
          return EXIT.ok;
        });
      });
  }
}
