"""The Jumat SMART services, each with its own domain, read models and NATS edge."""
