//! The agency's OpenID Connect identity provider, as its admin sets it up. The client secret is
//! write-only: it is never handed back, and leaving the field empty keeps the stored one.

use crate::auth::Secret;
use crate::{Act, Actor, Casework, ServiceError, ServiceResult};
use casework_domain::access::may_administer;
use casework_domain::audit::Outcome;
use casework_domain::identity_provider::ProviderSettings;
use casework_domain::Invalid;
use casework_store::identity::{self, IdentityProvider};
use casework_store::Wall;

/// The provider as the admin page shows it: everything but the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderView {
    pub display_name: String,
    pub issuer: String,
    pub client_id: String,
    pub user_claim: String,
    pub enabled: bool,
    /// A client secret is stored (its value is never shown).
    pub has_secret: bool,
    /// 0 when none is set up yet.
    pub version: i64,
}

/// What the admin submits.
#[derive(Clone)]
pub struct ProviderForm {
    pub display_name: String,
    pub issuer: String,
    pub client_id: String,
    /// Empty keeps the stored secret.
    pub client_secret: Secret,
    pub user_claim: String,
    pub enabled: bool,
}

impl std::fmt::Debug for ProviderForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderForm")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

/// A provider button on the sign-in page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInOption {
    pub agency_id: i64,
    pub display_name: String,
}

fn view_of(p: &IdentityProvider) -> ProviderView {
    ProviderView {
        display_name: p.display_name.clone(),
        issuer: p.issuer.clone(),
        client_id: p.client_id.clone(),
        user_claim: p.user_claim.clone(),
        enabled: p.enabled == 1,
        has_secret: !p.client_secret.is_empty(),
        version: p.version,
    }
}

impl Casework {
    pub async fn identity_provider(&self, admin: &Actor) -> ServiceResult<Option<ProviderView>> {
        if !may_administer(admin) {
            return Err(ServiceError::Forbidden);
        }
        let mut conn = self.store.conn(Wall::Agency(admin.agency_id)).await?;
        Ok(identity::provider(&mut conn, &self.vault, admin.agency_id)
            .await?
            .as_ref()
            .map(view_of))
    }

    /// The slug of the admin's agency: the sign-in address its staff use names it.
    pub async fn agency_slug(&self, admin: &Actor) -> ServiceResult<String> {
        if !may_administer(admin) {
            return Err(ServiceError::Forbidden);
        }
        let mut conn = self.store.conn(Wall::Agency(admin.agency_id)).await?;
        Ok(casework_store::agency::by_id(&mut conn, admin.agency_id)
            .await?
            .ok_or(ServiceError::NotFound)?
            .slug)
    }

    /// Set up or change the agency's provider, if unchanged since `version` (0: none yet).
    pub async fn save_identity_provider(
        &self,
        admin: &Actor,
        version: i64,
        form: &ProviderForm,
    ) -> ServiceResult<ProviderView> {
        if !may_administer(admin) {
            return Err(ServiceError::Forbidden);
        }
        let settings = ProviderSettings::parse(
            &form.display_name,
            &form.issuer,
            &form.client_id,
            &form.user_claim,
        )?;
        let new_secret = form.client_secret.expose().trim();
        if new_secret.len() > 500 {
            return Err(Invalid::new("client_secret", "too_long").into());
        }
        let mut tx = self
            .store
            .begin_write(Wall::Agency(admin.agency_id))
            .await?;
        let stored = identity::provider(&mut tx, &self.vault, admin.agency_id).await?;
        let client_secret = match (&stored, new_secret.is_empty()) {
            (_, false) => new_secret.to_string(),
            (Some(p), true) => p.client_secret.clone(),
            (None, true) => return Err(Invalid::new("client_secret", "required").into()),
        };
        let row = IdentityProvider {
            agency_id: admin.agency_id,
            display_name: settings.display_name,
            issuer: settings.issuer,
            client_id: settings.client_id,
            client_secret,
            user_claim: settings.user_claim,
            enabled: i64::from(form.enabled),
            updated_at: self.clock.now_ms(),
            version: version + 1,
        };
        if !identity::save_provider(&mut tx, &self.vault, &row, version).await? {
            return Err(ServiceError::Stale);
        }
        let event = self.event(
            admin,
            Act {
                action: "identity_provider.save",
                record_type: "identity_provider",
                record_id: Some(admin.agency_id),
                client_id: None,
            },
            Outcome::Allowed,
            // Says whether the secret changed, never what it is.
            (!new_secret.is_empty()).then_some("secret_changed"),
        );
        casework_store::audit::append(&mut tx, admin.agency_id, vec![event]).await?;
        casework_store::commit(tx).await?;
        Ok(view_of(&row))
    }

    /// The providers the sign-in page offers. Sign-in comes before anyone is known, so this
    /// looks across agencies; it hands out display names only, and only where naming one tells a
    /// visitor nothing new: the provider of the agency the address names
    /// (`/sign-in?agency=<slug>`, the address an agency gives its staff), or on a server that
    /// holds a single agency, that agency's. A list of every agency's providers would tell
    /// anyone which agencies share the server (a shelter's among them).
    pub async fn sign_in_options(
        &self,
        agency_slug: Option<&str>,
    ) -> ServiceResult<Vec<SignInOption>> {
        let mut conn = self.store.conn(Wall::System).await?;
        Ok(identity::enabled_providers(&mut conn, agency_slug)
            .await?
            .into_iter()
            .map(|(agency_id, display_name)| SignInOption {
                agency_id,
                display_name,
            })
            .collect())
    }
}
