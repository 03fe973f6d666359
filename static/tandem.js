// Starts the GOV.UK Frontend components on every page; pages work without it.
import { initAll } from './vendor/govuk/govuk-frontend.min.js'

initAll()
