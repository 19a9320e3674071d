/*
 * The demo shop's page script: product tabs and the chat widget. The widget talks to the chat server
 * over a WebSocket and reports what happens in the browser with the chatlytics tracker
 * (window.chatlytics), passing the tracker's ids to the socket so that both channels share a session.
 *
 * Text from visitors and from the server is only ever set with textContent, never parsed as HTML.
 * The page must keep working when the tracker is blocked or missing, so every tracker call is guarded.
 */
;(() => {
  'use strict'

  const $ = (id) => document.getElementById(id)
  const tracker = (name, ...args) => {
    const api = window.chatlytics
    if (!api || typeof api[name] !== 'function') return undefined
    try {
      return api[name](...args)
    } catch (e) {
      return undefined
    }
  }

  // ---- Product tabs: history.pushState, so the tracker reports a navigation and a page_view. ----
  const tabs = document.querySelectorAll('[data-tab]')
  const panels = document.querySelectorAll('[data-panel]')
  const showTab = () => {
    const wanted = new URLSearchParams(location.search).get('tab') || 'overview'
    const known = [...panels].some((panel) => panel.dataset.panel === wanted)
    const tab = known ? wanted : 'overview'
    panels.forEach((panel) => (panel.hidden = panel.dataset.panel !== tab))
    tabs.forEach((button) => button.setAttribute('aria-selected', String(button.dataset.tab === tab)))
  }
  tabs.forEach((button) =>
    button.addEventListener('click', () => {
      const url = new URL(location.href)
      url.searchParams.set('tab', button.dataset.tab)
      if (url.href !== location.href) history.pushState(null, '', url)
      showTab()
    }),
  )
  window.addEventListener('popstate', showTab)
  showTab()

  // ---- The chat widget. ----
  const panel = $('chat-panel')
  const launcher = $('chat-launcher')
  const log = $('chat-log')
  const input = $('chat-input')
  const status = $('chat-status')
  const leadForm = $('lead-form')
  const handoverForm = $('handover-form')
  if (!panel || !launcher) return

  let socket = null
  let outbox = []
  let conversationId = null
  let lastUser = null
  let lastBot = null

  // The tracker's ids join the chat server's events to the widget's session. Without them (tracker
  // blocked, consent not given, Do Not Track) the chat still works and the server reports nothing.
  const ids = () => {
    const found = tracker('ids')
    return found && found.user_id && found.session_id ? found : null
  }
  const conversation = (id) => ((id || conversationId) ? { conversation_id: id || conversationId } : undefined)

  const say = (text) => {
    status.textContent = text
  }

  const connect = () => {
    if (socket && socket.readyState <= WebSocket.OPEN) return
    const url = new URL(panel.dataset.ws || '/ws', location.href)
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
    const known = ids()
    if (known) {
      url.searchParams.set('user_id', known.user_id)
      url.searchParams.set('session_id', known.session_id)
    }
    socket = new WebSocket(url)
    socket.addEventListener('open', () => {
      const waiting = outbox
      outbox = []
      waiting.forEach((message) => socket.send(message))
    })
    socket.addEventListener('message', (event) => receive(JSON.parse(event.data)))
    socket.addEventListener('close', () => {
      socket = null
    })
  }
  const send = (message) => {
    const data = JSON.stringify(message)
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(data)
    else {
      outbox.push(data)
      connect()
    }
  }

  const clone = (id) => $(id).content.firstElementChild.cloneNode(true)
  const append = (item) => {
    log.appendChild(item)
    log.scrollTop = log.scrollHeight
  }

  const receive = (message) => {
    if (message.type === 'reply') {
      conversationId = message.conversation_id || conversationId
      lastBot = message.text
      append(botMessage(message))
    } else if (message.type === 'ended' && message.status === 'handover') {
      say('An executive will contact you shortly. Thank you for your patience.')
    } else if (message.type === 'invalid') {
      say('That message could not be sent: ' + message.detail)
    }
  }

  const botMessage = (message) => {
    const item = clone('tpl-bot')
    item.querySelector('.text').textContent = message.text
    item.dataset.messageId = message.message_id
    if (message.fallback) item.classList.add('fallback')
    const cards = item.querySelector('.cards')
    for (const product of message.products || []) cards.appendChild(card(product, message.conversation_id))
    if (!cards.children.length) cards.remove()
    const [up, down] = item.querySelectorAll('.thumbs button')
    const rate = (rating, chosen) => {
      tracker('feedback', { rating, message_id: message.message_id }, conversation(message.conversation_id))
      up.disabled = down.disabled = true
      chosen.classList.add('chosen')
    }
    up.addEventListener('click', () => rate(1, up))
    down.addEventListener('click', () => rate(-1, down))
    return item
  }

  const card = (product, conversation_id) => {
    const item = clone('tpl-card')
    item.dataset.productId = product.id
    item.querySelector('.name').textContent = product.name
    item.querySelector('.meta').textContent =
      `${product.category}, ${product.currency} ${product.price}, label ${product.label}`
    const button = item.querySelector('.interest')
    button.addEventListener('click', () => {
      tracker(
        'productInterest',
        { product_name: product.name, product_id: product.id, category: product.category },
        conversation(conversation_id),
      )
      button.textContent = 'Noted: we will keep it for you'
      button.disabled = true
    })
    return item
  }

  const userMessage = (text) => {
    const item = clone('tpl-user')
    item.querySelector('.text').textContent = text
    append(item)
  }

  const open = () => {
    panel.hidden = false
    launcher.setAttribute('aria-expanded', 'true')
    launcher.hidden = true
    tracker('widgetOpen')
    connect()
    input.focus()
  }
  const close = () => {
    if (socket && socket.readyState === WebSocket.OPEN) send({ type: 'close' })
    tracker('widgetClose', { last_user_message: lastUser, last_bot_message: lastBot }, conversation())
    panel.hidden = true
    launcher.hidden = false
    launcher.setAttribute('aria-expanded', 'false')
  }
  launcher.addEventListener('click', open)
  $('chat-close').addEventListener('click', close)

  $('chat-form').addEventListener('submit', (event) => {
    event.preventDefault()
    const text = input.value.trim()
    if (!text) return
    input.value = ''
    lastUser = text
    userMessage(text)
    send({ type: 'message', text })
  })

  const toggle = (form, show) => {
    form.hidden = !show
    if (show) (form.querySelector('input') || form).focus()
  }
  $('lead-open').addEventListener('click', () => {
    toggle(handoverForm, false)
    toggle(leadForm, leadForm.hidden)
  })
  $('handover-open').addEventListener('click', () => {
    toggle(leadForm, false)
    toggle(handoverForm, handoverForm.hidden)
  })
  document.querySelectorAll('.panel .cancel').forEach((button) =>
    button.addEventListener('click', () => toggle(button.closest('form'), false)),
  )

  const value = (form, name) => (form.elements[name].value || '').trim() || undefined

  leadForm.addEventListener('submit', (event) => {
    event.preventDefault()
    const email = value(leadForm, 'email')
    const phone = value(leadForm, 'phone')
    if (!email && !phone) return say('Please leave an email address or a phone number.')
    const lead = { lead_type: value(leadForm, 'lead_type'), name: value(leadForm, 'name'), email, phone }
    tracker('lead', lead, conversation())
    leadForm.reset()
    toggle(leadForm, false)
    say('Thank you! We will be in touch within one working day.')
  })

  handoverForm.addEventListener('submit', (event) => {
    event.preventDefault()
    const issues = [...handoverForm.querySelectorAll('input[name=issues]:checked')].map((box) => box.value)
    if (!issues.length) return say('Please choose what your question is about.')
    const request = {
      issues,
      support_option: value(handoverForm, 'support_option'),
      other_text: value(handoverForm, 'other_text'),
      last_message: lastUser || undefined,
    }
    tracker('handover', request, conversation())
    send({ type: 'handover' })
    handoverForm.reset()
    toggle(handoverForm, false)
    say('Connecting you with an executive…')
  })
})()
