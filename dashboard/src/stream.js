// The live stream (GET /dashboard/stream), read with fetch because EventSource cannot send the
// Authorization header. It only says "new events were stored"; the page then asks the API again.
// When the stream drops it reconnects by itself, waiting 1 s, 2 s, 4 s ... up to 30 s (with jitter).

const MAX_DELAY_MS = 30_000
// The server sends a heartbeat every 15 s: three missed ones mean the connection is dead.
const SILENCE_MS = 45_000

/** Parse one block of server-sent-event lines into {event, data}, or null for a comment. */
function parseBlock(block) {
  let event = 'message'
  const data = []
  for (const line of block.split(/\r?\n/)) {
    if (line === '' || line.startsWith(':')) continue
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
    if (field === 'event') event = value
    else if (field === 'data') data.push(value)
  }
  return data.length || event !== 'message' ? { event, data: data.join('\n') } : null
}

/**
 * Open the stream. `onEvent(name)` gets 'hello' (connected; also after a reconnection) and 'commit';
 * `onStatus({state, retryInMs})` gets 'connecting' | 'live' | 'reconnecting'; `onRefused(status)` is
 * called once when the key is refused (401/403), and the stream then stops.
 */
export function openStream({ url, key, onEvent, onStatus, onRefused }) {
  let stopped = false
  let attempt = 0
  let controller = null
  let retryTimer = null
  let silenceTimer = null

  function watchSilence() {
    clearTimeout(silenceTimer)
    silenceTimer = setTimeout(() => controller?.abort(), SILENCE_MS)
  }

  async function connect() {
    controller = new AbortController()
    onStatus({ state: 'connecting' })
    try {
      const response = await fetch(url, {
        headers: { Authorization: `Bearer ${key}`, Accept: 'text/event-stream' },
        cache: 'no-store',
        credentials: 'omit',
        signal: controller.signal,
      })
      if (response.status === 401 || response.status === 403) {
        stopped = true
        onRefused(response.status)
        return
      }
      if (!response.ok || !response.body) throw new Error(`the stream answered ${response.status}`)
      watchSilence()
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
      let buffer = ''
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        watchSilence()
        buffer += value
        let end
        while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '')
          const message = parseBlock(block)
          if (message?.event === 'hello') {
            attempt = 0
            onStatus({ state: 'live' })
          }
          if (message) onEvent(message.event)
        }
      }
    } catch {
      // dropped, aborted by the silence watch, or the collector is down: reconnect below
    } finally {
      clearTimeout(silenceTimer)
    }
    if (stopped) return
    const delay = Math.min(MAX_DELAY_MS, 1000 * 2 ** attempt) * (0.75 + Math.random() / 4)
    attempt += 1
    onStatus({ state: 'reconnecting', retryInMs: delay })
    retryTimer = setTimeout(connect, delay)
  }

  connect()
  return {
    stop() {
      stopped = true
      clearTimeout(retryTimer)
      clearTimeout(silenceTimer)
      controller?.abort()
    },
  }
}
