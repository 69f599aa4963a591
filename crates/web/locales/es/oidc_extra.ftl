# Inicio de sesión con el proveedor de identidad de la agencia: límites al empezar.

oidc-throttled-title = Demasiados inicios de sesión empezados
error-oidc_throttled = Se empezaron demasiados inicios de sesión desde aquí, o para tu agencia, en los últimos minutos. Espera diez minutos y vuelve a intentarlo; puedes seguir entrando con tu contraseña de Casework si tienes una.
