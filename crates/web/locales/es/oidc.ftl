# Inicio de sesión con el proveedor de identidad de la agencia (OpenID Connect) y su página de administración.

oidc-sign-in-heading = O usa el inicio de sesión de tu agencia
oidc-sign-in-with = Iniciar sesión con
oidc-back-to-sign-in = Volver al inicio de sesión

oidc-unreachable-title = No se puede contactar con el servicio de inicio de sesión
error-oidc_unreachable = El servicio de inicio de sesión de tu agencia no respondió, o no respondió como se esperaba. Inténtalo de nuevo en unos minutos; si sigue pasando, avisa al contacto de informática de tu agencia. Puedes seguir entrando con tu contraseña de Casework si tienes una.
oidc-provider-denied-title = No se completó el inicio de sesión
error-oidc_provider_denied = El servicio de inicio de sesión no te identificó (quizá se canceló allí). Empieza de nuevo desde la página de inicio de sesión.
oidc-state-title = Este inicio de sesión ha caducado
error-oidc_state = Este enlace de inicio de sesión ha caducado, ya se usó o se empezó en otro navegador. Empieza de nuevo desde la página de inicio de sesión.
oidc-token-invalid-title = No se pudo verificar el inicio de sesión
error-oidc_token_invalid = La respuesta del servicio de inicio de sesión de tu agencia no pasó las comprobaciones de Casework, así que no se inició tu sesión. Empieza de nuevo; si sigue pasando, avisa al contacto de informática de tu agencia.
oidc-no-user-title = Ninguna cuenta de Casework coincide
error-oidc_no_user = Te identificaste con tu agencia, pero ninguna cuenta activa de Casework de esa agencia coincide contigo. Pide a la persona que administra Casework en tu agencia que cree tu cuenta con el correo que usa el inicio de sesión de tu agencia.
oidc-user-disabled-title = Esta cuenta está desactivada
error-oidc_user_disabled = Tu cuenta de Casework está desactivada. Pregunta a la persona que administra Casework en tu agencia si la necesitas de nuevo.
oidc-user-locked-title = Esta cuenta está bloqueada por ahora
error-oidc_user_locked = Tu cuenta de Casework está bloqueada un tiempo tras demasiados intentos fallidos. Inténtalo más tarde o pide que la desbloqueen a la persona que administra Casework en tu agencia.

error-issuer_invalid = Escribe la dirección del emisor tal como la publica el proveedor de identidad, empezando por https://.
error-claim_invalid = El nombre de un atributo solo lleva letras, cifras y _ - . : (por ejemplo email o preferred_username).

nav-oidc = Proveedor de identidad
oidc-admin-title = Inicio de sesión con tu proveedor de identidad
oidc-admin-intro = Permite que el personal inicie sesión con el proveedor de identidad de tu agencia (OpenID Connect), además de con su contraseña de Casework. Antes, registra Casework en el proveedor como cliente confidencial («aplicación web»). Así no se crea ninguna cuenta: cada persona necesita una cuenta de Casework, que se encuentra con el atributo de abajo en su primer inicio de sesión y se recuerda después.
oidc-admin-callback = Dirección de redirección que hay que registrar en el proveedor:
oidc-admin-sign-in-address = El personal inicia sesión con este proveedor en esta dirección; la página general de inicio de sesión solo lo ofrece si este servidor no aloja otras agencias:
oidc-field-display-name = Nombre en el botón de inicio de sesión
oidc-field-issuer = Emisor
oidc-field-issuer-hint = La dirección del emisor del proveedor, p. ej. https://login.example.org/realms/agencia. Casework lee su configuración en /.well-known/openid-configuration del emisor.
oidc-field-client-id = ID de cliente
oidc-field-client-secret = Secreto de cliente
oidc-field-client-secret-hint = Del registro del cliente en el proveedor. Se guarda y no se vuelve a mostrar.
oidc-field-client-secret-kept = Hay un secreto guardado que no se muestra. Deja el campo vacío para conservarlo o escribe uno nuevo para cambiarlo.
oidc-field-user-claim = Atributo que identifica a la persona
oidc-field-user-claim-hint = Se compara con el correo de la cuenta de Casework en el primer inicio de sesión. Con «email» (el valor por defecto) el proveedor debe indicar que verificó la dirección. Otro atributo (p. ej. preferred_username o upn) se acepta tal como lo envía el proveedor.
oidc-field-enabled = Mostrar este inicio de sesión en la página de inicio de sesión
notice-oidc-saved = Proveedor de identidad guardado.
