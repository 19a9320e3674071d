// The columns of the row tables, shared by the overview and the user page. Values are the API's
// fields as they are (exported to CSV); cells are what people read.
import { h } from './dom.js'
import { figure } from './figures.js'
import * as fmt from './format.js'
import { toConversation, toUser } from './nav.js'

export const badge = (status) => h('span', { class: `badge status-${status}` }, status)
const location = (row) => [row.city, row.region, row.country].filter(Boolean).join(', ') || null
const channels = (row) => [row.has_widget && 'widget', row.has_backend && 'chat server'].filter(Boolean).join(' + ')

export const SESSION_COLUMNS = [
  { label: 'Started (UTC)', value: (r) => r.started_at, cell: (r) => fmt.when(r.started_at) },
  { label: 'Session', value: (r) => r.session_id, cell: (r) => h('span', { class: 'id' }, r.session_id) },
  { label: 'User', value: (r) => r.user_id, cell: (r) => toUser(r.user_id) },
  { label: 'Status', value: (r) => r.status, cell: (r) => badge(r.status) },
  { label: 'Duration', value: (r) => r.duration_seconds, cell: (r) => fmt.duration(r.duration_seconds), numeric: true },
  { label: 'Messages', value: (r) => r.message_count, numeric: true },
  { label: 'Location', value: location },
  { label: 'Channels', value: channels },
]

export const CONVERSATION_COLUMNS = [
  { label: 'Started (UTC)', value: (r) => r.started_at, cell: (r) => fmt.when(r.started_at) },
  { label: 'Conversation', value: (r) => r.conversation_id, cell: (r) => toConversation(r.conversation_id) },
  { label: 'User', value: (r) => r.user_id, cell: (r) => toUser(r.user_id) },
  { label: 'Status', value: (r) => r.status, cell: (r) => badge(r.status) },
  { label: 'Duration', value: (r) => r.duration_seconds, cell: (r) => fmt.duration(r.duration_seconds), numeric: true },
  { label: 'Messages', value: (r) => r.message_count, numeric: true },
  { label: 'Fallbacks', value: (r) => r.fallback_count, numeric: true },
]

export const LEAD_COLUMNS = [
  { label: 'Submitted (UTC)', value: (r) => r.created_at, cell: (r) => fmt.when(r.created_at) },
  { label: 'Type', value: (r) => r.lead_type },
  { label: 'Name', wrap: true, value: (r) => r.name },
  { label: 'Email', value: (r) => r.email },
  { label: 'Phone', value: (r) => r.phone },
  { label: 'Page', wrap: true, value: (r) => r.page_url, cell: (r) => r.page_url && h('span', { class: 'url' }, r.page_url) },
  { label: 'User', value: (r) => r.user_id, cell: (r) => toUser(r.user_id) },
  { label: 'Conversation', value: (r) => r.conversation_id, cell: (r) => toConversation(r.conversation_id) },
]

export const HANDOVER_COLUMNS = [
  { label: 'Requested (UTC)', value: (r) => r.requested_at, cell: (r) => fmt.when(r.requested_at) },
  { label: 'Support option', value: (r) => r.support_option },
  { label: 'Issues', wrap: true, value: (r) => r.issues, cell: (r) => r.issues.join(', ') || null },
  { label: 'Details', wrap: true, value: (r) => r.other_text },
  {
    label: 'Last message',
    wrap: true,
    value: (r) => r.last_message,
    cell: (r) => r.last_message && h('span', { class: 'quote' }, r.last_message),
  },
  { label: 'User', value: (r) => r.user_id, cell: (r) => toUser(r.user_id) },
  { label: 'Conversation', value: (r) => r.conversation_id, cell: (r) => toConversation(r.conversation_id) },
]

export const MESSAGE_COLUMNS = [
  { label: 'Time (UTC)', value: (r) => r.created_at },
  { label: 'From', value: (r) => r.message_type },
  { label: 'Message', value: (r) => r.content },
  { label: 'Latency (ms)', value: (r) => r.latency_ms },
  { label: 'Fallback', value: (r) => (r.message_type === 'bot' ? r.fallback : null) },
  { label: 'Model', value: (r) => r.model },
  { label: 'Message id', value: (r) => r.message_id },
]

const rateColumns = [
  { label: 'Interest events', value: (r) => r.interest_events, numeric: true },
  { label: 'Visitors', value: (r) => r.visitors, numeric: true },
  { label: 'Leads', value: (r) => r.leads, numeric: true },
  { label: 'Lead rate', value: (r) => r.lead_rate, cell: (r) => fmt.percent(r.lead_rate), numeric: true },
  { label: 'Conversions', value: (r) => r.conversions, numeric: true },
  {
    label: 'Conversion rate',
    value: (r) => r.conversion_rate,
    cell: (r) => fmt.percent(r.conversion_rate),
    numeric: true,
  },
]

export const PRODUCT_COLUMNS = [
  { label: 'Product', wrap: true, value: (r) => r.product_name },
  { label: 'Product id', value: (r) => r.product_id, cell: (r) => r.product_id && h('span', { class: 'id' }, r.product_id) },
  { label: 'Category', value: (r) => r.category },
  ...rateColumns,
]

export const CATEGORY_COLUMNS = [{ label: 'Category', wrap: true, value: (r) => r.category }, ...rateColumns]

const REASONS = {
  engaged_without_lead: 'engaged, no lead',
  product_interest: 'much product interest',
  repeated_product_interest: 'same product again',
}
const products = (r) => r.products.map((p) => `${p.product_name} ×${p.interest_events}`).join(', ')

export const OPPORTUNITY_COLUMNS = [
  { label: 'User', value: (r) => r.user_id, cell: (r) => toUser(r.user_id) },
  { label: 'Engagement', value: (r) => r.engagement_score, numeric: true },
  {
    label: 'Why',
    value: (r) => r.reasons,
    cell: (r) => r.reasons.map((reason) => h('span', { class: `badge reason-${reason}` }, REASONS[reason] ?? reason)),
  },
  { label: 'Products', wrap: true, value: products, cell: (r) => products(r) || null },
  { label: 'Interest events', value: (r) => r.product_interest, numeric: true },
  { label: 'Sessions', value: (r) => r.engagement_components.sessions, numeric: true },
  { label: 'Questions', value: (r) => r.engagement_components.user_messages, numeric: true },
  { label: 'Lead', value: (r) => r.has_lead, cell: (r) => (r.has_lead ? 'yes' : 'no') },
]

export const SLOWEST_COLUMNS = [
  { label: 'Conversation', value: (r) => r.conversation_id, cell: (r) => toConversation(r.conversation_id) },
  { label: 'Bot replies', value: (r) => r.bot_messages, numeric: true },
  { label: 'Mean response time', value: (r) => r.avg_latency_ms, cell: (r) => fmt.ms(r.avg_latency_ms), numeric: true },
  { label: 'Slowest response', value: (r) => r.max_latency_ms, cell: (r) => fmt.ms(r.max_latency_ms), numeric: true },
]

// A figure of a chat server health bucket, marked with its field in the answer (`system.3.cpu_percent`).
const sample = (label, key, format) => ({
  label,
  value: (r) => r[key],
  cell: (r) => figure('/analytics/performance', `system.${r.index}.${key}`, r[key], format(r[key])),
  numeric: true,
})
const plain = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 })
const unit = (suffix) => (value) => (value === null ? '—' : `${plain.format(value)}${suffix}`)

export const SYSTEM_COLUMNS = [
  { label: 'Bucket (UTC)', value: (r) => r.bucket, cell: (r) => r.label },
  sample('Samples', 'samples', fmt.count),
  sample('CPU', 'cpu_percent', unit('%')),
  sample('Memory', 'memory_mb', unit(' MB')),
  sample('Connections (most)', 'active_connections', fmt.count),
  sample('Response time', 'response_time_ms', fmt.ms),
]

/** Questions as visitors wrote them (the most frequent wording of each), with a count labelled `what`. */
export const QUESTION_COLUMNS = (what) => [
  { label: 'Question', wrap: true, value: (r) => r.example },
  { label: what, value: (r) => r.count, numeric: true },
]
