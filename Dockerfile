FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md alembic.ini ./
COPY game_server game_server
COPY quests quests
COPY geo geo
COPY rewards rewards
COPY content content
RUN pip install --no-cache-dir . && useradd --system lupiae
USER lupiae
EXPOSE 8000
CMD ["sh", "-c", "lupiae db upgrade && lupiae content publish content/ --author deploy && exec lupiae serve --host 0.0.0.0 --port 8000"]
