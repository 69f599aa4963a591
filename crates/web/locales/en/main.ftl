# Casework, English. Every id here must also be in es/main.ftl (a test checks).

app-name = Casework
skip-to-content = Skip to main content
nav-label = Main
nav-caseload = Caseload
nav-clients = Clients
nav-users = Users
nav-teams = Teams
nav-programs = Programs
nav-audit = Audit log
sign-out = Sign out
sign-out-everywhere = Sign out everywhere
language-label = Language
language-submit = Change language
language-en = English
language-es = Español
save = Save
yes = Yes
no = No
list-next-page = Next page

## Sign-in
sign-in-title = Sign in
sign-in-submit = Sign in

## Fields
field-email = Email
field-password = Password
field-display-name = Name
field-role = Role
field-team = Team
field-active = Active
field-language = Language
field-name = Name
field-token-name = Token name
field-plan-approval = Plan needs supervisor approval
field-closure-approval = Closure needs supervisor approval
password-hint = At least 12 characters, not all alike.
team-none = No team

## Roles
role-caseworker = Caseworker
role-supervisor = Supervisor
role-intake_worker = Intake worker
role-admin = Agency admin
role-auditor = Auditor

## Account
account-title = Your account
account-language-heading = Language
tokens-heading = API tokens
tokens-explanation = Programs use API tokens to work with Casework on your behalf. Revoke a token you no longer use.
tokens-shown-once = Copy this token now. It will not be shown again.
tokens-none = You have no API tokens.
tokens-created = Created
tokens-last-used = Last used
tokens-never-used = Never
tokens-state = State
tokens-revoked = Revoked
tokens-revoke = Revoke
tokens-create-heading = Create a token
tokens-create = Create token
sessions-heading = Sessions
sessions-explanation = Signs you out on every device, including this one.
notice-token-revoked = The token was revoked.

## Admin
users-title = Users
users-none = No users yet.
users-access = Access
users-inactive = inactive
users-create-heading = Add a user
users-create = Add user
notice-user-created = The user was added.
notice-user-updated = The user's access was changed.
teams-title = Teams
teams-none = No teams yet.
teams-create-heading = Add a team
teams-create = Add team
notice-team-created = The team was added.
programs-title = Programs
programs-none = No programs yet.
programs-create-heading = Add a program
programs-create = Add program
notice-program-created = The program was added.

## Errors
error-title = Something went wrong
error-go-home = Go to the start page
error-not_found = We could not find that.
error-forbidden = You are not allowed to do that.
error-unauthenticated = Please sign in.
error-bad_credentials = The email or password is wrong.
error-throttled = Too many failed sign-ins. Please wait a few minutes and try again.
error-stale = Someone changed this record since you opened it. Look at the current version and make your change again.
error-duplicate = That already exists.
error-guard_unmet = The work this stage needs is not done yet.
error-transition_not_allowed = The case cannot move to that stage from here.
error-storage_error = The records could not be reached. Please try again.
error-audit_unavailable = The audit log could not be written, so nothing was changed. Please try again.
error-required = This is required.
error-too_long = This is too long.
error-control_characters = This contains characters that are not allowed.
error-date_format = Enter the date as YYYY-MM-DD.
error-date_in_future = The date cannot be in the future.
error-date_too_early = The date is too far in the past.
error-language_tag = Enter a language code such as en or es-MX.
error-email_format = Enter an email address such as name@example.org.
error-phone_format = Enter a phone number using digits, spaces and + ( ) - only.
error-age_range = Enter an age between 0 and 120.
error-too_many = There are too many entries.
error-unknown_choice = Pick one of the offered choices.
error-minutes_range = Enter a number of minutes between 1 and 1440.
error-cursor_format = The page position is not valid; start again from the first page.
error-password_too_short = The password must have at least 12 characters.
error-password_too_simple = The password is too simple; use more different characters.
error-password_unusable = This password cannot be used; choose another.
error-reason_too_short = Give a fuller reason.
error-reason_too_long = The reason is too long.
error-csrf_failed = This form has expired or did not come from Casework. Go back, reload the page and try again.
error-internal_error = Something went wrong on our side. Please try again.
error-payload_too_large = What you sent is too large.
error-method_not_allowed = That action is not possible here.
error-unsupported_media_type = Send the request body as JSON (Content-Type: application/json).
error-bad_request = The request is not valid.
error-unavailable = The server is busy or took too long. Please try again.
error-malformed_json = The request body is not valid JSON.
error-unknown_field = This field is not known.
error-wrong_type = This value has the wrong type.
error-precondition_required = Send the version you read in an If-Match header.
error-not_a_worker = Pick an active caseworker or supervisor.
error-same_record = Pick two different records.
error-already_merged = This record was already merged into another.
error-out_of_range = This number is outside the allowed range.

## What a stage still needs (guard requirements), by `Unmet` code
unmet-consent_to_services_missing = Record the client's consent to services.
unmet-no_contact = Record at least one contact.
unmet-assessment_incomplete = Complete the assessment.
unmet-no_needs_assessed = Name at least one need in the assessment.
unmet-no_strengths_assessed = Name at least one strength in the assessment.
unmet-no_agreed_smart_goal = Agree at least one SMART goal with the client.
unmet-goal_without_intervention = Give every active goal an intervention.
unmet-no_active_goal = Keep at least one goal active.
unmet-plan_not_agreed = Record the client's agreement to the plan.
unmet-plan_not_approved = A supervisor must approve the plan.
unmet-no_evaluation = Record an evaluation.
unmet-no_evaluation_decision = Record the evaluation's decision: continue or close.
unmet-evaluation_decided_continue = The evaluation decided to continue, not to close.
unmet-evaluation_decided_close = The evaluation decided to close, not to continue.
unmet-no_closing_summary = Write the closing summary.
unmet-closure_not_approved = A supervisor must approve the closure.
unmet-follow_ups_pending = Finish the scheduled follow-ups, or reopen the case.
