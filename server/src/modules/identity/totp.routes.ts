import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { requireAdmin } from '../../platform/auth/admin-auth.ts';
import { problems } from '../../platform/http/schemas.ts';
import { TotpCode } from './identity.routes.ts';
import { confirmTotp, disableTotp, startTotpEnrolment } from './totp.service.ts';

// The signed-in user's own TOTP: enrol (QR code), confirm with a first code, disable with a current code.
// Every role may protect its own account, so these need only a session (products:read is held by all roles).

const CodeBody = Type.Object({ code: TotpCode }, { additionalProperties: false });
const Done = Type.Object({ totp_enabled: Type.Boolean() });

export async function totpRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const signedIn = requireAdmin(ctx, 'products:read');

  app.post('/v1/admin/me/totp/enrol', {
    preValidation: signedIn,
    schema: {
      tags: ['admin'],
      summary: 'Start TOTP enrolment: a new secret as an otpauth:// URL and a QR code (SVG). Not active until confirmed',
      response: { 200: Type.Object({ otpauth_url: Type.String(), qr_svg: Type.String() }), ...problems(401, 403, 409) },
    },
    handler: async (req, reply) => {
      reply.header('cache-control', 'no-store'); // the URL holds the secret
      return startTotpEnrolment(ctx, req.admin!.id);
    },
  });

  // confirm and disable: a code from the app in, the new state out
  const withCode = (path: string, summary: string, act: (userId: string, code: string) => Promise<void>, enabledAfter: boolean) =>
    app.post(path, {
      preValidation: signedIn,
      schema: { tags: ['admin'], summary, body: CodeBody, response: { 200: Done, ...problems(400, 401, 403, 409) } },
      handler: async (req) => {
        await act(req.admin!.id, (req.body as { code: string }).code);
        return { totp_enabled: enabledAfter };
      },
    });
  withCode('/v1/admin/me/totp/confirm', 'Activate TOTP with a first code from the app', (id, code) => confirmTotp(ctx, id, code), true);
  withCode('/v1/admin/me/totp/disable', 'Turn TOTP off, proving it with a current code', (id, code) => disableTotp(ctx, id, code), false);
}
