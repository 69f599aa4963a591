# Sign-in security: second step, authenticator (TOTP), recovery codes, password change,
# sessions, lockouts and the agency's rules.

second-step-title = Enter your sign-in code
second-step-explanation = Your password was right. Now open your authenticator app and enter the six-digit code it shows for Casework.
field-code = Code
second-step-code-hint = Six digits, from your authenticator app.
second-step-submit = Continue
second-step-cancel = Cancel and start again
second-step-recovery-summary = Lost your phone? Use a recovery code
field-recovery-code = Recovery code

enrol-required-title = Set up two-step sign-in
enrol-required-explanation = Your agency asks people in your role to sign in with a code from an authenticator app as well as a password. Set it up now to continue.
totp-setup-title = Set up two-step sign-in
totp-setup-step-app = Install an authenticator app on your phone, if you do not have one (for example FreeOTP, Aegis, Google Authenticator or Microsoft Authenticator).
totp-setup-step-scan = In the app, add an account and scan this QR code.
totp-setup-qr-label = QR code holding your sign-in secret for the authenticator app
totp-setup-step-type = Cannot scan it? Type this key into the app instead (time-based, six digits, 30 seconds):
totp-setup-step-code = Enter the six-digit code the app now shows, to confirm it works.
totp-confirm = Confirm

recovery-codes-title = Your recovery codes
totp-enabled-notice = Two-step sign-in is on.
recovery-codes-shown-once = Keep these codes somewhere safe, away from your phone. Each one lets you sign in once without your authenticator app. They are shown only now.
recovery-codes-continue = I have kept them; continue

password-change-heading = Change your password
password-change-explanation = You will stay signed in here; your other sessions will end.
field-current-password = Current password
field-new-password = New password
password-rule-hint = At least 12 characters and hard to guess: a few unrelated words work well. Avoid your name, email and common passwords.
password-change-submit = Change password
back-to-account = Back to your account

totp-heading = Two-step sign-in
totp-explanation = With two-step sign-in, signing in needs a code from an app on your phone as well as your password.
totp-state-on = On.
totp-recovery-left = { $count ->
    [one] One recovery code left.
   *[other] { $count } recovery codes left.
}
totp-state-off = Off.
totp-required-for-role = Your agency requires it for your role.
totp-start = Set up two-step sign-in
totp-continue-setup = Continue setting up
totp-disable-code-label = Code from your app, or a recovery code
totp-disable = Turn off two-step sign-in

sessions-agent = Browser
sessions-created = Signed in
sessions-last-seen = Last active
sessions-actions = Actions
sessions-current = This session
sessions-revoke = Sign out this session
sessions-agent-unknown = Unknown browser

notice-password-changed = Your password is changed. Your other sessions have ended.
notice-totp-disabled = Two-step sign-in is off.
notice-session-revoked = That session has ended.

users-sign-in = Sign-in
users-sign-in-plain = Password only; not locked
users-locked = Locked
users-locked-until = until
users-unlock = Unlock
users-totp-on = Two-step sign-in on.
users-totp-reset = Reset two-step sign-in
notice-user-unlocked = The account is unlocked.
notice-totp-reset = Two-step sign-in was reset; the person sets it up again when needed.

nav-security = Sign-in security
security-title = Sign-in security
security-mfa-legend = Roles that must use two-step sign-in
security-mfa-hint = People in these roles set up an authenticator app at their next sign-in and cannot do anything else until they have.
notice-security-saved = Sign-in security saved.

error-password_too_weak = This password is too easy to guess.
error-password_common = This is one of the most common passwords; choose another.
error-password_wrong = Your current password is not right.
error-code_wrong = That code is not right, or was already used. Try the newest code from your app.
error-code_format = Enter the six digits from your app.

password-hint-keyboard-pattern = Avoid rows or patterns of keys.
password-hint-repeats = Avoid repeated characters and words.
password-hint-sequence = Avoid sequences like abc or 6543.
password-hint-common-password = It is close to a commonly used password.
password-hint-dates = Avoid dates and years, especially ones linked to you.
password-hint-single-word = A single word is easy to guess.
password-hint-names = Names on their own are easy to guess, including your own.
password-hint-add-words = Add another word or two; uncommon words are better.
password-hint-substitutions = Swapping letters for look-alike symbols (like @ for a) does not help much.
password-hint-capitals = Capital letters do not help much.
password-hint-reversed = Words spelled backwards are not much harder to guess.
