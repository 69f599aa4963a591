# Sign-in through the agency's own identity provider (OpenID Connect), and its admin page.

oidc-sign-in-heading = Or use your agency's sign-in
oidc-sign-in-with = Sign in with
oidc-back-to-sign-in = Back to sign-in

oidc-unreachable-title = The sign-in service cannot be reached
error-oidc_unreachable = Your agency's sign-in service did not answer, or did not answer as expected. Try again in a few minutes; if it keeps happening, tell your agency's IT contact. You can still sign in with your Casework password if you have one.
oidc-provider-denied-title = Sign-in was not completed
error-oidc_provider_denied = The sign-in service did not sign you in (it may have been cancelled there). Start again from the sign-in page.
oidc-state-title = This sign-in has expired
error-oidc_state = This sign-in link is expired, was already used, or was started in another browser. Start again from the sign-in page.
oidc-token-invalid-title = The sign-in could not be verified
error-oidc_token_invalid = The answer from your agency's sign-in service did not pass Casework's checks, so you were not signed in. Start again; if it keeps happening, tell your agency's IT contact.
oidc-no-user-title = No Casework account matches
error-oidc_no_user = You signed in with your agency, but no active Casework account of that agency matches you. Ask your agency's Casework admin to create your account with the email address your agency's sign-in uses.
oidc-user-disabled-title = This account is switched off
error-oidc_user_disabled = Your Casework account has been deactivated. Ask your agency's Casework admin if you need it again.
oidc-user-locked-title = This account is locked for now
error-oidc_user_locked = Your Casework account is locked for a while after too many failed sign-ins. Try again later, or ask your agency's Casework admin to unlock it.

error-issuer_invalid = Give the issuer address exactly as the identity provider publishes it, starting with https://.
error-claim_invalid = A claim name has only letters, digits and _ - . : (for example email or preferred_username).

nav-oidc = Identity provider
oidc-admin-title = Sign-in with your identity provider
oidc-admin-intro = Let staff sign in with your agency's own identity provider (OpenID Connect), beside their Casework password. Register Casework as a confidential client ("web application") at the provider first. Nobody gets an account this way: each person needs a Casework account, found by the claim below on their first sign-in and remembered after that.
oidc-admin-callback = Redirect address to register at the provider:
oidc-admin-sign-in-address = Staff sign in through this provider at this address; the general sign-in page offers it only when this server holds no other agency:
oidc-field-display-name = Name on the sign-in button
oidc-field-issuer = Issuer
oidc-field-issuer-hint = The provider's issuer address, e.g. https://login.example.org/realms/agency. Casework reads its settings from the issuer's /.well-known/openid-configuration.
oidc-field-client-id = Client ID
oidc-field-client-secret = Client secret
oidc-field-client-secret-hint = From the provider's client registration. It is stored and never shown again.
oidc-field-client-secret-kept = A secret is stored and is not shown. Leave this empty to keep it, or type a new one to replace it.
oidc-field-user-claim = Claim that identifies the person
oidc-field-user-claim-hint = Matched against the Casework account's email on first sign-in. With "email" (the default) the provider must say it verified the address. Another claim (e.g. preferred_username or upn) is trusted as the provider sends it.
oidc-field-enabled = Show this sign-in on the sign-in page
notice-oidc-saved = Identity provider saved.
