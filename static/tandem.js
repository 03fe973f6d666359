// Starts the GOV.UK Frontend components on every page; pages work without it.
import { initAll } from './vendor/govuk/govuk-frontend.min.js'

initAll()

// When htmx swaps part of a page in (the agenda builder after a click), start the GOV.UK
// components inside it and move focus to what happened: the button that was pressed may be
// gone, and keyboard and screen reader users would otherwise be left at the top of the page.
document.body.addEventListener('htmx:afterSettle', (event) => {
  const id = event.detail.target && event.detail.target.id
  const part = id ? document.getElementById(id) : null
  if (!part) return
  initAll({ scope: part })
  const status = part.querySelector('[role="status"][tabindex="-1"]')
  if (status) {
    status.focus()
    return
  }
  // "Show more" in a group of agenda suggestions: focus goes to the first row it added.
  const added = part.querySelectorAll('[data-first-of-page]')
  if (added.length) added[added.length - 1].focus()
})
