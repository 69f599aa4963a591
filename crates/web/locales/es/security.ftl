# Seguridad del inicio de sesión: segundo paso, aplicación de autenticación (TOTP), códigos de
# recuperación, cambio de contraseña, sesiones, bloqueos y las reglas de la agencia.

second-step-title = Escribe tu código de acceso
second-step-explanation = Tu contraseña es correcta. Ahora abre tu aplicación de autenticación y escribe el código de seis cifras que muestra para Casework.
field-code = Código
second-step-code-hint = Seis cifras, de tu aplicación de autenticación.
second-step-submit = Continuar
second-step-cancel = Cancelar y empezar de nuevo
second-step-recovery-summary = ¿Perdiste el teléfono? Usa un código de recuperación
field-recovery-code = Código de recuperación

enrol-required-title = Configura el inicio de sesión en dos pasos
enrol-required-explanation = Tu agencia pide a las personas con tu rol que inicien sesión con un código de una aplicación de autenticación además de la contraseña. Configúralo ahora para continuar.
totp-setup-title = Configura el inicio de sesión en dos pasos
totp-setup-step-app = Instala una aplicación de autenticación en tu teléfono si no tienes una (por ejemplo FreeOTP, Aegis, Google Authenticator o Microsoft Authenticator).
totp-setup-step-scan = En la aplicación, añade una cuenta y escanea este código QR.
totp-setup-qr-label = Código QR con tu clave de acceso para la aplicación de autenticación
totp-setup-step-type = ¿No puedes escanearlo? Escribe esta clave en la aplicación (basada en el tiempo, seis cifras, 30 segundos):
totp-setup-step-code = Escribe el código de seis cifras que muestra ahora la aplicación para confirmar que funciona.
totp-confirm = Confirmar

recovery-codes-title = Tus códigos de recuperación
totp-enabled-notice = El inicio de sesión en dos pasos está activado.
recovery-codes-shown-once = Guarda estos códigos en un lugar seguro, lejos de tu teléfono. Cada uno te permite iniciar sesión una vez sin la aplicación de autenticación. Solo se muestran ahora.
recovery-codes-continue = Ya los guardé; continuar

password-change-heading = Cambia tu contraseña
password-change-explanation = Seguirás con la sesión iniciada aquí; tus otras sesiones se cerrarán.
field-current-password = Contraseña actual
field-new-password = Contraseña nueva
password-rule-hint = Al menos 12 caracteres y difícil de adivinar: unas cuantas palabras sin relación entre sí funcionan bien. Evita tu nombre, tu correo y las contraseñas comunes.
password-change-submit = Cambiar la contraseña
back-to-account = Volver a tu cuenta

totp-heading = Inicio de sesión en dos pasos
totp-explanation = Con el inicio de sesión en dos pasos, para entrar necesitas un código de una aplicación de tu teléfono además de tu contraseña.
totp-state-on = Activado.
totp-recovery-left = { $count ->
    [one] Te queda un código de recuperación.
   *[other] Te quedan { $count } códigos de recuperación.
}
totp-state-off = Desactivado.
totp-required-for-role = Tu agencia lo exige para tu rol.
totp-start = Configurar el inicio de sesión en dos pasos
totp-continue-setup = Seguir con la configuración
totp-disable-code-label = Código de tu aplicación o un código de recuperación
totp-disable = Desactivar el inicio de sesión en dos pasos

sessions-agent = Navegador
sessions-created = Inicio de sesión
sessions-last-seen = Última actividad
sessions-actions = Acciones
sessions-current = Esta sesión
sessions-revoke = Cerrar esta sesión
sessions-agent-unknown = Navegador desconocido

notice-password-changed = Tu contraseña ha cambiado. Tus otras sesiones se han cerrado.
notice-totp-disabled = El inicio de sesión en dos pasos está desactivado.
notice-session-revoked = Esa sesión se ha cerrado.

users-sign-in = Inicio de sesión
users-sign-in-plain = Solo contraseña; sin bloqueo
users-locked = Bloqueada
users-locked-until = hasta
users-unlock = Desbloquear
users-totp-on = Inicio de sesión en dos pasos activado.
users-totp-reset = Restablecer el inicio de sesión en dos pasos
notice-user-unlocked = La cuenta está desbloqueada.
notice-totp-reset = Se restableció el inicio de sesión en dos pasos; la persona lo configurará de nuevo cuando haga falta.

nav-security = Seguridad del acceso
security-title = Seguridad del acceso
security-mfa-legend = Roles que deben usar el inicio de sesión en dos pasos
security-mfa-hint = Las personas con estos roles configuran una aplicación de autenticación la próxima vez que inicien sesión y no pueden hacer nada más hasta terminar.
notice-security-saved = Se guardó la seguridad del acceso.

error-password_too_weak = Esta contraseña es demasiado fácil de adivinar.
error-password_common = Es una de las contraseñas más comunes; elige otra.
error-password_wrong = Tu contraseña actual no es correcta.
error-code_wrong = Ese código no es correcto o ya se usó. Prueba con el código más reciente de tu aplicación.
error-code_format = Escribe las seis cifras de tu aplicación.

password-hint-keyboard-pattern = Evita filas o patrones de teclas.
password-hint-repeats = Evita repetir caracteres y palabras.
password-hint-sequence = Evita secuencias como abc o 6543.
password-hint-common-password = Se parece a una contraseña muy usada.
password-hint-dates = Evita fechas y años, sobre todo los relacionados contigo.
password-hint-single-word = Una sola palabra es fácil de adivinar.
password-hint-names = Los nombres solos son fáciles de adivinar, también el tuyo.
password-hint-add-words = Añade una o dos palabras más; mejor si son poco comunes.
password-hint-substitutions = Cambiar letras por símbolos parecidos (como @ por a) no ayuda mucho.
password-hint-capitals = Las mayúsculas no ayudan mucho.
password-hint-reversed = Las palabras escritas al revés no son mucho más difíciles de adivinar.
