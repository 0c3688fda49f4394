chmod 0750 app; chmod 0700 app/sub; chmod 0711 assets; chmod 0644 app/main.py
