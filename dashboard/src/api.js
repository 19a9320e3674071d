// The analytics API, asked with the read key in the Authorization header (never in the URL).

export class ApiError extends Error {
  constructor(status, message) {
    super(message)
    this.status = status
  }
}

function describe(detail) {
  if (typeof detail === 'string') return detail
  if (Array.isArray(detail)) return detail.map(reason).join('; ')
  return null
}

/** One validation error: its message, led by the parameter it is about when it does not name it. */
function reason(item) {
  const message = item?.msg ?? String(item)
  const name = item?.loc?.at(-1)
  return typeof name === 'string' && !message.startsWith(name) ? `${name}: ${message}` : message
}

/** A `get(path, params, signal)` bound to the app's root and a key. */
export function makeApi(root, key) {
  return async function get(path, params = {}, signal = undefined) {
    const url = new URL(root + path, window.location.origin)
    for (const [name, value] of Object.entries(params)) {
      if (value !== null && value !== undefined) url.searchParams.set(name, value)
    }
    let response
    try {
      response = await fetch(url, {
        headers: { Authorization: `Bearer ${key}` },
        cache: 'no-store',
        credentials: 'omit',
        signal,
      })
    } catch (error) {
      if (error.name === 'AbortError') throw error
      throw new ApiError(0, 'The collector could not be reached. Is it running?')
    }
    if (!response.ok) {
      let detail = null
      try {
        detail = describe((await response.json()).detail)
      } catch {
        // not JSON: the status says enough
      }
      throw new ApiError(response.status, detail ?? `${response.status} ${response.statusText}`)
    }
    return response.json()
  }
}

/** What to tell a person whose key was refused. */
export function signInMessage(error) {
  if (error.status === 401) {
    return 'This key was not accepted: it is unknown or has been revoked. Check that you pasted the whole read key.'
  }
  if (error.status === 403) {
    return 'This is a write key. The dashboard needs a read key (chatlytics keys create --role read).'
  }
  return error.message
}
