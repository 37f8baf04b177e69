import { ModalForm, ProFormDependency, ProFormDigit, ProFormRadio, ProFormSelect, ProFormText, type ProFormInstance } from '@ant-design/pro-components';
import { useQuery } from '@tanstack/react-query';
import { App } from 'antd';
import { useRef, type ReactElement } from 'react';
import { ApiError, api, unwrap } from '../../api/client.ts';
import type { ResponseOf } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';

export type Rule = ResponseOf<'/v1/admin/risk/rules', 'get'>['data'][number];

interface Values {
  scope_type: Rule['scope_type'];
  scope_id?: string;
  name: string;
  kind: Rule['kind'];
  action: Rule['action'];
  dimension?: NonNullable<Rule['dimension']>;
  max?: number;
  window_seconds?: number;
  review_above?: number | null;
  fact?: string;
  op?: NonNullable<Rule['op']>;
  value?: number | string;
}

const WINDOWS = [60, 3600, 86_400, 604_800] as const;
export const isWindow = (s: number): s is (typeof WINDOWS)[number] => (WINDOWS as readonly number[]).includes(s);
const SCOPES = ['global', 'product', 'campaign', 'client'] as const;
const DIMENSIONS = ['ip', 'device', 'phone', 'external_id'] as const;

/**
 * Creates a rule, or edits one (its scope and kind stay). The server checks the rule as a whole: a refusal
 * (a negative limit, an unknown fact) keeps the form open with the problem's detail.
 */
export function RuleForm({ rule, trigger, onDone }: { rule?: Rule; trigger: ReactElement; onDone(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const formRef = useRef<ProFormInstance<Values>>(undefined);
  const facts = useQuery({ queryKey: ['risk-facts'], queryFn: async () => unwrap(await api.GET('/v1/admin/risk/facts')).data, staleTime: Infinity });
  const typeOf = (fact?: string) => facts.data?.find((f) => f.name === fact)?.type;
  const initial: Partial<Values> = rule
    ? { ...rule, scope_id: rule.scope_id ?? undefined, dimension: rule.dimension ?? undefined, max: rule.max ?? undefined, window_seconds: rule.window_seconds ?? undefined,
        fact: rule.fact ?? undefined, op: rule.op ?? undefined, value: typeof rule.value === 'boolean' ? String(rule.value) : (rule.value ?? undefined) }
    : { scope_type: 'global', kind: 'limit', action: 'deny', dimension: 'phone', window_seconds: 86_400 };
  const submit = async (v: Values) => {
    const def = v.kind === 'limit'
      ? { dimension: v.dimension, max: v.max, window_seconds: v.window_seconds, review_above: v.review_above ?? null }
      : { fact: v.fact, op: typeOf(v.fact) === 'boolean' ? ('eq' as const) : v.op, value: typeOf(v.fact) === 'boolean' ? v.value === 'true' : Number(v.value) };
    try {
      if (rule) unwrap(await api.PATCH('/v1/admin/risk/rules/{id}', { params: { path: { id: rule.id } }, body: { name: v.name, action: v.action, ...def } }));
      else unwrap(await api.POST('/v1/admin/risk/rules', { body: { scope_type: v.scope_type, ...(v.scope_type === 'global' ? {} : { scope_id: v.scope_id }), name: v.name, kind: v.kind, action: v.action, ...def } }));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      // the server's field problems beside their fields; the form stays open
      message.error(e.problem.detail ?? e.message);
      formRef.current?.setFields((e.problem.errors ?? []).map((p) => ({ name: p.field as keyof Values, errors: [p.message] })));
      return false;
    }
    message.success(t('risk.ruleSaved'));
    onDone();
    return true;
  };
  return (
    <ModalForm<Values> formRef={formRef} title={t(rule ? 'risk.editRule' : 'risk.newRule')} trigger={trigger} width={560} initialValues={initial} modalProps={{ destroyOnHidden: true }} onFinish={submit}>
      <ProFormRadio.Group name="scope_type" label={t('risk.scope')} radioType="button" disabled={!!rule} options={SCOPES.map((s) => ({ value: s, label: t(`risk.scopes.${s}`) }))} />
      <ProFormDependency name={['scope_type']}>
        {({ scope_type }) => scope_type !== 'global' && (
          <ProFormText name="scope_id" label={t('risk.scopeId')} disabled={!!rule} rules={[{ required: true, whitespace: true, message: t('risk.scopeIdRequired') }]} />
        )}
      </ProFormDependency>
      <ProFormText name="name" label={t('risk.ruleName')} rules={[{ required: true, whitespace: true, message: t('risk.ruleNameRequired') }]} fieldProps={{ maxLength: 200 }} />
      <ProFormRadio.Group name="kind" label={t('risk.ruleKind')} disabled={!!rule} options={(['limit', 'threshold'] as const).map((k) => ({ value: k, label: t(`risk.ruleKinds.${k}`) }))} />
      <ProFormRadio.Group name="action" label={t('risk.action')} options={(['deny', 'review'] as const).map((a) => ({ value: a, label: t(`risk.actions.${a}`) }))} />
      <ProFormDependency name={['kind', 'fact']}>
        {({ kind, fact }) =>
          kind === 'limit' ? (
            <>
              <ProFormSelect name="dimension" label={t('risk.dimension')} options={DIMENSIONS.map((d) => ({ value: d, label: t(`risk.dimensions.${d}`) }))} rules={[{ required: true }]} />
              <ProFormDigit name="max" label={t('risk.max')} min={1} fieldProps={{ precision: 0 }} rules={[{ required: true, message: t('risk.maxRequired') }]} />
              <ProFormSelect name="window_seconds" label={t('risk.window')} extra={t('risk.windowHint')} options={WINDOWS.map((w) => ({ value: w, label: t(`risk.windows.w${w}`) }))} rules={[{ required: true }]} />
              <ProFormDigit name="review_above" label={t('risk.reviewAbove')} extra={t('risk.reviewAboveHint')} min={0} fieldProps={{ precision: 0 }} />
            </>
          ) : (
            <>
              <ProFormSelect name="fact" label={t('risk.fact')} options={(facts.data ?? []).map((f) => ({ value: f.name, label: `${f.name} — ${f.description}` }))} rules={[{ required: true, message: t('risk.factRequired') }]} />
              {typeOf(fact) === 'boolean' ? (
                <ProFormRadio.Group name="value" label={t('risk.mustBe')} options={[{ value: 'true', label: t('common.yes') }, { value: 'false', label: t('common.no') }]} rules={[{ required: true }]} />
              ) : (
                <>
                  <ProFormSelect name="op" label={t('risk.op')} options={(['gte', 'lte', 'eq'] as const).map((o) => ({ value: o, label: t(`risk.ops.${o}`) }))} rules={[{ required: true }]} />
                  <ProFormDigit name="value" label={t('risk.value')} min={0} fieldProps={{ precision: 0 }} rules={[{ required: true }]} />
                </>
              )}
            </>
          )
        }
      </ProFormDependency>
    </ModalForm>
  );
}
