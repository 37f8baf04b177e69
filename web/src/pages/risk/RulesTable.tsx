import { ProTable, type ActionType, type ProColumns } from '@ant-design/pro-components';
import { App, Button, Space, Tag } from 'antd';
import { useRef } from 'react';
import { api, unwrap } from '../../api/client.ts';
import { Can } from '../../components/Guard.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { isWindow, RuleForm, type Rule } from './RuleForm.tsx';

/** Rules per scope: what each limits or requires, and whether it denies or sends to review; edit, disable. */
export function RulesTable() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const table = useRef<ActionType>(null);
  const reload = () => table.current?.reload();
  const toggle = async (r: Rule) => {
    unwrap(await api.PATCH('/v1/admin/risk/rules/{id}', { params: { path: { id: r.id } }, body: { status: r.status === 'active' ? 'disabled' : 'active' } }));
    message.success(t(r.status === 'active' ? 'risk.ruleDisabled' : 'risk.ruleEnabled'));
    reload();
  };
  const windowLabel = (s: number) => (isWindow(s) ? t(`risk.windows.w${s}`) : t('risk.seconds', { count: s }));
  const what = (r: Rule) =>
    r.kind === 'limit'
      ? t('risk.limitText', { max: r.max ?? 0, dimension: t(`risk.dimensions.${r.dimension ?? 'ip'}`), window: windowLabel(r.window_seconds ?? 0) }) + (r.review_above != null ? t('risk.reviewAboveText', { n: r.review_above }) : '')
      : `${r.fact} ${r.op === 'eq' ? '=' : r.op === 'gte' ? '≥' : '≤'} ${String(r.value)}`;
  const columns: ProColumns<Rule>[] = [
    {
      title: t('risk.scope'),
      dataIndex: 'scope_type',
      valueType: 'select',
      valueEnum: Object.fromEntries((['global', 'product', 'campaign', 'client'] as const).map((s) => [s, { text: t(`risk.scopes.${s}`) }])),
      render: (_, r) => <Space size={4}><Tag>{t(`risk.scopes.${r.scope_type}`)}</Tag>{r.scope_id}</Space>,
    },
    { title: t('risk.scopeId'), dataIndex: 'scope_id', hideInTable: true },
    { title: t('risk.ruleName'), dataIndex: 'name', search: false },
    { title: t('risk.rule'), dataIndex: 'kind', search: false, render: (_, r) => what(r) },
    { title: t('risk.action'), dataIndex: 'action', search: false, render: (_, r) => <Tag color={r.action === 'deny' ? 'red' : 'orange'}>{t(`risk.actions.${r.action}`)}</Tag> },
    {
      title: t('common.status'),
      dataIndex: 'status',
      valueType: 'select',
      valueEnum: { active: { text: t('risk.ruleStatus.active'), status: 'Success' }, disabled: { text: t('risk.ruleStatus.disabled'), status: 'Default' } },
    },
    {
      title: t('common.actions'),
      valueType: 'option',
      render: (_, r) => (
        <Can permission="risk:write">
          <Space>
            <RuleForm rule={r} trigger={<a>{t('common.edit')}</a>} onDone={reload} />
            <a onClick={() => toggle(r)}>{r.status === 'active' ? t('risk.disable') : t('risk.enable')}</a>
          </Space>
        </Can>
      ),
    },
  ];
  return (
    <ProTable<Rule>
      rowKey="id"
      actionRef={table}
      columns={columns}
      // every rule of the filter at once: a deployment has tens, not thousands
      request={async (p: Record<string, unknown>) => {
        const query = Object.fromEntries(Object.entries({ scope_type: p.scope_type, scope_id: p.scope_id, status: p.status }).filter(([, v]) => v)) as { scope_type?: Rule['scope_type']; scope_id?: string; status?: Rule['status'] };
        return { data: unwrap(await api.GET('/v1/admin/risk/rules', { params: { query } })).data, success: true };
      }}
      pagination={{ defaultPageSize: 20 }}
      search={{ labelWidth: 'auto' }}
      options={{ reload: true, density: false, setting: false }}
      locale={{ emptyText: t('risk.noRules') }}
      toolBarRender={() => [
        <Can key="new" permission="risk:write">
          <RuleForm trigger={<Button type="primary" id="risk-rule-new">{t('risk.newRule')}</Button>} onDone={reload} />
        </Can>,
      ]}
    />
  );
}
