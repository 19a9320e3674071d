// The drill-down views: one conversation's transcript, and one user's page.
import { badge, HANDOVER_COLUMNS, LEAD_COLUMNS, MESSAGE_COLUMNS, SESSION_COLUMNS } from './columns.js'
import { h } from './dom.js'
import * as fmt from './format.js'
import { toTab, toUser } from './nav.js'
import { download, tablePanel, toCsv } from './tables.js'

const SPEAKERS = { user: 'Visitor', bot: 'Bot', system: 'System' }

function heading(kind, id) {
  return h('h2', { tabindex: -1 }, `${kind} `, h('span', { class: 'id' }, id))
}

function back() {
  return h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, toTab())
}

/** A list of facts; each value carries data-figure (the API field) and its raw value. */
function facts(endpoint, items) {
  return h(
    'dl',
    { class: 'facts' },
    items.map(([label, field, raw, shown, wide]) =>
      h(
        'div',
        { class: wide ? 'wide' : null },
        h('dt', {}, label),
        h(
          'dd',
          field ? { 'data-figure': field, 'data-endpoint': endpoint, 'data-value': JSON.stringify(raw) } : {},
          shown ?? '—',
        ),
      ),
    ),
  )
}

function message(m) {
  const meta = [
    h('span', { class: 'speaker' }, SPEAKERS[m.message_type] ?? m.message_type),
    h('time', { datetime: m.created_at }, fmt.clock(m.created_at)),
  ]
  if (m.message_type === 'bot') {
    meta.push(h('span', { class: 'latency', title: 'time the bot took to answer' }, fmt.ms(m.latency_ms)))
    if (m.fallback) meta.push(h('span', { class: 'badge status-fallback' }, 'fallback'))
    if (m.model) meta.push(h('span', { class: 'model' }, m.model))
  }
  return h(
    'li',
    { class: `msg msg-${m.message_type}${m.fallback ? ' msg-fallback' : ''}`, 'data-event-id': m.event_id },
    h('div', { class: 'msg-meta' }, meta),
    h('p', { class: 'msg-text' }, m.content),
  )
}

/** The transcript view of GET /analytics/conversation/{id}. */
export function transcriptView(t) {
  const endpoint = `/analytics/conversation/${t.conversation_id}`
  const exportButton = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      disabled: t.messages.length === 0,
      onclick: () => download(`transcript-${t.conversation_id}.csv`, toCsv(MESSAGE_COLUMNS, t.messages)),
    },
    'Export CSV',
  )
  return h(
    'div',
    { class: 'detail' },
    back(),
    heading('Conversation', t.conversation_id),
    facts(endpoint, [
      ['Status', 'status', t.status, badge(t.status)],
      ['Started (UTC)', 'started_at', t.started_at, fmt.when(t.started_at)],
      ['Duration', 'duration_seconds', t.duration_seconds, t.ended_at ? fmt.duration(t.duration_seconds) : 'still going'],
      ['Messages', 'message_count', t.message_count, fmt.count(t.message_count)],
      ['Questions', 'user_message_count', t.user_message_count, fmt.count(t.user_message_count)],
      ['Fallbacks', 'fallback_count', t.fallback_count, fmt.count(t.fallback_count)],
      ['Session', null, null, h('span', { class: 'id' }, t.session_id)],
      ['User', null, null, toUser(t.user_id)],
    ]),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'transcript-title' },
      h('div', { class: 'panel-head' }, h('h3', { id: 'transcript-title' }, 'Transcript'), exportButton),
      t.truncated ? h('p', { class: 'hint' }, `Only the latest ${t.messages.length} messages are shown.`) : null,
      t.messages.length
        ? h('ol', { class: 'transcript' }, t.messages.map(message))
        : h('p', { class: 'empty' }, 'No messages in this conversation yet.'),
    ),
  )
}

function activeNow(u) {
  if (!u.is_active) return 'no'
  return `yes, ${u.active_sessions} session${u.active_sessions === 1 ? '' : 's'}`
}

/** The user view of GET /analytics/user/{id}. */
export function userView(u) {
  const endpoint = `/analytics/user/${u.user_id}`
  const panel = (id, title, columns, rows, empty) => {
    const table = tablePanel({ id, title, columns, empty, filename: `${id}-${u.user_id}.csv` })
    table.update(rows)
    return table.el
  }
  return h(
    'div',
    { class: 'detail' },
    back(),
    heading('User', u.user_id),
    facts(endpoint, [
      ['Type', 'user_type', u.user_type, u.user_type],
      ['First seen (UTC)', 'first_seen_at', u.first_seen_at, fmt.when(u.first_seen_at)],
      ['Last active (UTC)', 'last_active_at', u.last_active_at, fmt.when(u.last_active_at)],
      ['Sessions', 'total_sessions', u.total_sessions, fmt.count(u.total_sessions)],
      ['Conversations', 'total_conversations', u.total_conversations, fmt.count(u.total_conversations)],
      ['Messages', 'total_messages', u.total_messages, fmt.count(u.total_messages)],
      ['Time in ended sessions', 'total_duration', u.total_duration, fmt.duration(u.total_duration)],
      ['Active now', 'active_sessions', u.active_sessions, activeNow(u)],
      ['Engagement score (0–100)', 'engagement_score', u.engagement_score, fmt.count(u.engagement_score)],
      ['Last page', 'last_page_url', u.last_page_url, u.last_page_url && h('span', { class: 'url' }, u.last_page_url), true],
    ]),
    h(
      'div',
      { class: 'tables' },
      panel('user-sessions', 'Sessions', SESSION_COLUMNS, u.session_history, 'No sessions.'),
      panel('user-leads', 'Leads', LEAD_COLUMNS, u.leads, 'No leads from this user.'),
      panel('user-handovers', 'Handovers', HANDOVER_COLUMNS, u.handovers, 'No handover requests from this user.'),
    ),
  )
}
