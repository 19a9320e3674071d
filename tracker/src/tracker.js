/*
 * The chatlytics browser tracker: one dependency-free file, configured by the data- attributes of its
 * <script> tag, sending to POST /v1/events (docs/events.md). It fails silently: nothing in here may
 * break the page that embeds it. docs/tracker.md describes the attributes, the API and the guarantees.
 */
(() => {
  const script = document.currentScript
  // Loaded twice (two tags, or a tag and a bundle): the first one keeps working, the second stays out.
  // (A page element with id="chatlytics" also appears as window.chatlytics, hence the .track.)
  if (!script || (window.chatlytics || 0).track) return

  const MAX_OUTBOX = 500 // events kept until acknowledged; the oldest go first
  const MAX_PER_MINUTE = 100 // a page that loops on track() must not flood the collector
  const BATCH_EVENTS = 20 // a batch this big is sent at once instead of waiting for the timer
  const BEACON_CHARS = 2e4 // 3 bytes per UTF-16 unit at most: under the 64 KB keepalive quota
  const FETCH_CHARS = 6e4 // far under the collector's 512 KiB body limit
  const IDLE_MS = 18e5 // 30 minutes without an event starts a new session
  const PREFIX = 'chatlytics.'

  const attr = (name) => script.getAttribute('data-' + name)
  const endpoint = (attr('collector') || new URL(script.src, location.href).origin).replace(/\/+$/, '') + '/v1/events'
  const writeKey = attr('write-key') || undefined
  const flushMs = +attr('flush-ms') || 2e3
  const auto = attr('auto') != 'false'
  const nav = navigator
  const blocked =
    attr('respect-dnt') == 'true' &&
    (/^(1|yes)$/.test(nav.doNotTrack || window.doNotTrack || nav.msDoNotTrack) || !!nav.globalPrivacyControl)
  // true: store and send; undefined: waiting for consent(), hold events in memory; false: do nothing.
  let consent = blocked ? false : attr('consent') == 'required' ? undefined : true

  // localStorage when allowed (it is read afresh so that tabs share ids and the outbox), else memory.
  let memory = {}
  const load = (key) => {
    try {
      const value = consent && localStorage.getItem(PREFIX + key)
      if (value) return JSON.parse(value)
    } catch (e) {}
    return memory[key]
  }
  const save = (key, value) => {
    memory[key] = value
    if (consent)
      try {
        localStorage.setItem(PREFIX + key, JSON.stringify(value))
      } catch (e) {
        // Full or forbidden: forget the stale copy so that load() falls back to memory.
        try {
          localStorage.removeItem(PREFIX + key)
        } catch (e) {}
      }
  }

  /** A UUIDv7: 48 bits of Unix milliseconds, then random bits; sortable by creation time. */
  const uuid7 = () => {
    const bytes = crypto.getRandomValues(new Uint8Array(16))
    // A Uint8Array keeps the integer part modulo 256: byte i gets the right 8 bits of the time.
    for (let i = 6, time = Date.now(); i--; time /= 256) bytes[i] = time
    bytes[6] = (bytes[6] & 15) | 112 // version 7
    bytes[8] = (bytes[8] & 63) | 128 // variant 10
    return [...bytes]
      .map((byte, i) => (i > 3 && i < 11 && !(i & 1) ? '-' : '') + (byte + 256).toString(16).slice(1))
      .join('')
  }

  const userId = () => {
    let id = load('uid')
    if (!id) save('uid', (id = uuid7()))
    return id
  }
  const sessionId = () => {
    const now = Date.now()
    let session = load('session') // [id, last activity in ms]
    if (!session || now - session[1] > IDLE_MS) session = [uuid7()]
    session[1] = now
    save('session', session)
    return session[0]
  }

  const api = { dropped: 0 }
  const hooks = []
  let pending = [] // events tracked before consent, in memory only
  const last = {} // last_user_message / last_bot_message for widget_close
  let conversation // the last conversation_id given, for the automatic widget_close
  let openedAt = 0
  let windowStart = 0
  let inWindow = 0

  const track = (type, properties, options) => {
    try {
      if (consent === false) return
      const now = Date.now()
      if (now - windowStart > 6e4) {
        windowStart = now
        inWindow = 0
      }
      if (++inWindow > MAX_PER_MINUTE) return api.dropped++
      // A copy: later changes by the page do not reach the event, and what cannot be sent (a cycle)
      // throws here, dropping this event instead of jamming the outbox.
      properties = JSON.parse(JSON.stringify(properties || {}))
      const event = {
        event_id: uuid7(),
        type,
        timestamp: new Date(now).toISOString(),
        source: 'widget',
        page_url: location.href,
        properties,
      }
      if (options && options.conversation_id) event.conversation_id = conversation = options.conversation_id
      // A page that reports the chat's messages gets them on its widget_close for free.
      const which = { user_message: 'last_user_message', bot_response: 'last_bot_message' }[type]
      if (which) last[which] = properties.content
      if (consent) commit(event)
      else if (pending.push(event) > MAX_OUTBOX) {
        pending.shift()
        api.dropped++
      }
    } catch (e) {}
  }

  // Ids are stamped here, not in track(), so that none is made (or stored) before consent.
  const commit = (event) => {
    try {
      event.user_id = userId()
      event.session_id = sessionId()
      for (const hook of hooks) if (!(event = hook(event))) return
      const box = load('outbox') || []
      const over = box.push(event) - MAX_OUTBOX
      if (over > 0) {
        box.splice(0, over)
        api.dropped += over
      }
      save('outbox', box)
      // Those in a request still waiting for its answer are in the outbox too, but not waiting.
      if (box.length - busy < BATCH_EVENTS) schedule(flushMs)
      else flush()
    } catch (e) {}
  }

  // Delivery: one request in flight per page; events leave the outbox only once acknowledged.
  let busy = 0 // how many events the request in flight carries
  let again = 0 // a flush was asked for while a request was in flight
  let timer = 0
  let attempts = 0
  let notBefore = 0
  const beaconed = new Set()

  const schedule = (ms) => {
    if (!timer)
      timer = setTimeout(() => {
        timer = 0
        flush()
      }, ms)
  }

  /** The first events of `list` that fit in `limit` characters of JSON (at least one). */
  const take = (list, limit) => {
    let size = 0
    let n = 0
    while (n < list.length && n < 100 && ((size += JSON.stringify(list[n]).length) < limit || !n)) n++
    return list.slice(0, n)
  }
  // The key goes in the body for fetch too: a text/plain POST without custom headers needs no
  // CORS preflight, and the beacon, which cannot set headers, sends the very same body.
  const body = (events) => JSON.stringify({ sent_at: new Date().toISOString(), write_key: writeKey, events })

  const acknowledge = (events) => {
    const done = new Set(events.map((event) => event.event_id))
    save('outbox', (load('outbox') || []).filter((event) => !done.has(event.event_id)))
  }

  const flush = () => {
    const wait = notBefore - Date.now()
    if (wait > 0) {
      // Backing off: nothing may go before the retry, which takes every waiting event with it.
      clearTimeout(timer)
      timer = 0
      return schedule(wait)
    }
    if (busy) return (again = 1)
    const box = consent && load('outbox')
    if (!box || !box.length) return
    // Every due event goes now, in this request or (past its size) the next; events tracked from here
    // on start a timer of their own.
    clearTimeout(timer)
    timer = 0
    const events = take(box, FETCH_CHARS)
    const left = box.length > events.length
    const data = body(events)
    busy = events.length
    fetch(endpoint, { method: 'POST', body: data, keepalive: data.length < BEACON_CHARS })
      .then((response) => {
        const status = response.status
        // 408, 429 and 5xx may succeed later; any other answer would be the same next time.
        if (status == 408 || status == 429 || status > 499) throw response
        acknowledge(events)
        attempts = 0
      })
      .catch((response) => {
        // Network error, or a retryable answer: wait (jittered, doubling, at most 5 minutes).
        const delay = Math.min(1e3 * 2 ** attempts++, 3e5) * (0.5 + Math.random() / 2)
        const retryAfter = +(response.headers && response.headers.get('retry-after')) || 0
        notBefore = Date.now() + Math.max(delay, retryAfter * 1e3)
      })
      .finally(() => {
        busy = 0
        // Events tracked while the request was in flight wait for the timer like any others, unless
        // due events were left out by the size limits, a batch is full, a flush was asked for
        // meanwhile, or this was a failure to retry.
        const rest = (load('outbox') || []).length
        if (again || left || notBefore > Date.now() || rest >= BATCH_EVENTS) {
          again = 0
          flush()
        } else if (rest) schedule(flushMs)
      })
  }

  // The page is going away (or may be discarded while hidden): hand what is left to beacons. The
  // events stay in the outbox, since a beacon is never acknowledged; if they are sent again later the
  // collector counts them as duplicates.
  const drain = () => {
    try {
      let rest = consent ? (load('outbox') || []).filter((event) => !beaconed.has(event.event_id)) : []
      for (let events; rest.length; rest = rest.slice(events.length)) beacon((events = take(rest, BEACON_CHARS)))
    } catch (e) {}
  }
  const beacon = (events) => {
    if (nav.sendBeacon(endpoint, body(events))) events.map((event) => beaconed.add(event.event_id))
    else if (events[1]) {
      // Refused (the browser's quota): try the two halves on their own.
      const half = events.length >> 1
      beacon(events.slice(0, half))
      beacon(events.slice(half))
    }
  }

  const wrap = (type) => (properties, options) => track(type, properties, options)
  const widgetClose = (properties, options) => {
    track(
      'widget_close',
      Object.assign({ time_spent_seconds: openedAt && (Date.now() - openedAt) / 1e3 }, last, properties),
      options || { conversation_id: conversation },
    )
    openedAt = 0
  }

  window.chatlytics = Object.assign(api, {
    track,
    identify: (id) => {
      // A new user starts a new session: a session belongs to one user.
      if (consent !== false && id && (id += '') != load('uid')) {
        save('uid', id)
        save('session', 0)
      }
    },
    widgetOpen: (options) => {
      openedAt = Date.now()
      track('widget_open', 0, options)
    },
    widgetClose,
    lastMessages: (messages) => Object.assign(last, messages),
    lead: wrap('lead_submitted'),
    handover: wrap('handover_requested'),
    productInterest: wrap('product_interest'),
    conversion: wrap('conversion'),
    feedback: wrap('feedback'),
    consent: (granted) => {
      if (blocked || consent === !!granted) return
      if (granted) {
        consent = true
        // Persist what was kept in memory meanwhile (an identify()), then release the held events.
        for (const key in memory) save(key, memory[key])
        pending.splice(0).map(commit)
        schedule(flushMs)
      } else {
        consent = false
        pending = []
        memory = {}
        for (const key of ['uid', 'session', 'outbox'])
          try {
            localStorage.removeItem(PREFIX + key)
          } catch (e) {}
      }
    },
    ids: () =>
      consent ? { user_id: userId(), session_id: sessionId() } : { user_id: null, session_id: null },
    flush: () => flush(),
    beforeSend: (hook) => hooks.push(hook),
  })

  const on = (target, type, listener) => target.addEventListener(type, listener)
  on(window, 'online', () => {
    notBefore = attempts = 0
    flush()
  })
  on(window, 'pagehide', () => {
    if (openedAt) widgetClose()
    drain()
  })
  on(document, 'visibilitychange', () => {
    const hidden = document.visibilityState == 'hidden'
    if (auto) track(hidden ? 'page_hidden' : 'page_visible')
    if (hidden) drain()
  })

  if (auto) {
    let url = location.href
    const pageView = (referrer) => track('page_view', { title: document.title || undefined, referrer })
    const changed = () => {
      const from = url
      url = location.href
      if (from != url) {
        track('navigation', { from_url: from, to_url: url })
        pageView(from)
      }
    }
    for (const name of ['pushState', 'replaceState']) {
      const original = history[name]
      history[name] = function () {
        const result = original.apply(this, arguments)
        changed()
        return result
      }
    }
    on(window, 'popstate', changed)
    pageView(document.referrer || undefined)
  }
  // Events left in the outbox by an earlier page (offline, closed mid-flight) go out with the first batch.
  if (consent) schedule(flushMs)
})()
